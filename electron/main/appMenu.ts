import { Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../contract/commands';

/**
 * The application menu. Items send commands to the focused window's renderer, which does the same
 * as for the keyboard shortcut. The renderer already handles those keys, so the menu shows them
 * without registering them (registerAccelerator: false): one key press, one action.
 */
export function installMenu(focused: () => BrowserWindow | null): void {
  const send = (command: MenuCommand) => () => focused()?.webContents.send('sketchpad:command', command);
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Clip…', accelerator: 'CmdOrCtrl+O', registerAccelerator: false, click: send('open-clip') },
        { label: 'Open Project…', click: send('open-project') },
        { label: 'Save Project…', accelerator: 'CmdOrCtrl+S', registerAccelerator: false, click: send('save-project') },
        { type: 'separator' },
        { label: 'Export WAV…', click: send('export') },
        { type: 'separator' },
        { label: 'Models…', click: send('models') },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { label: 'Undo', accelerator: 'CmdOrCtrl+Z', registerAccelerator: false, click: send('undo') },
        { label: 'Redo', accelerator: 'CmdOrCtrl+Shift+Z', registerAccelerator: false, click: send('redo') },
        { type: 'separator' },
        { role: 'cut' }, { role: 'copy' }, { role: 'paste' },
      ],
    },
    { label: 'View', submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { label: 'Help', submenu: [{ label: 'Keyboard Shortcuts', click: send('help') }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
