/** Commands the desktop app's menu sends to the renderer (the same actions as its shortcuts). */
export const menuCommands = ['open-clip', 'save-project', 'open-project', 'export', 'undo', 'redo', 'models', 'help'] as const;
export type MenuCommand = (typeof menuCommands)[number];

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && (menuCommands as readonly string[]).includes(value);
}
