/**
 * The only bridge between the sandboxed renderer and the app: a message pipe for the typed API and
 * the on-disk path of a dropped or opened file. Nothing else of Node or Electron is exposed.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';

const apiChannel = 'sketchpad:api';

contextBridge.exposeInMainWorld('sketchpad', {
  send: (message: unknown) => ipcRenderer.send(apiChannel, message),
  onMessage: (listener: (message: unknown) => void) => {
    ipcRenderer.on(apiChannel, (_event, message: unknown) => listener(message));
  },
  pathForFile: (file: File) => webUtils.getPathForFile(file),
  saveExport: (exportId: string): Promise<string | null> => ipcRenderer.invoke('sketchpad:save-export', exportId),
  dragExport: (exportId: string) => ipcRenderer.send('sketchpad:drag-export', exportId),
  onCommand: (listener: (command: unknown) => void) => {
    ipcRenderer.on('sketchpad:command', (_event, command: unknown) => listener(command));
  },
});
