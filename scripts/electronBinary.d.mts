/** Where Electron's binary is, or null where it is not installed. */
export function electronBinary(): string | null;
