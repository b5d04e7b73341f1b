/**
 * The desktop app's main process: windows, the media protocol and forwarding between the renderer
 * and the host service. Everything else lives in the Electron-free host and engine.
 */
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { copyFile } from 'node:fs/promises';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, type WebContents } from 'electron';
import { apiMethods } from '../contract/methods';
import { RpcServer } from '../contract/rpcServer';
import { audioLimits } from '../engine/audio/audioLimits';
import { contentSecurityPolicy } from '../host/contentSecurityPolicy';
import { EngineClient } from '../host/engineClient';
import { HostService } from '../host/hostService';
import { installMenu } from './appMenu';
import { utilityEngineLauncher } from './utilityEngineLauncher';

const apiChannel = 'sketchpad:api';

protocol.registerSchemesAsPrivileged([
  { scheme: 'sketchpad-media', privileges: { secure: true, stream: true, supportFetchAPI: true } },
]);

// Packaged, the bundles sit in resources/models (electron-builder extraResources); in development the
// engine finds the repository's models/ beside its own build.
const bundleFolders: Record<string, string> = { SKETCHPAD_USER_BUNDLES: join(app.getPath('userData'), 'bundles') };
if (app.isPackaged) bundleFolders.SKETCHPAD_MODELS_DIR = join(process.resourcesPath, 'models');
const engine = new EngineClient(utilityEngineLauncher(join(import.meta.dirname, 'engine.js'), bundleFolders));
const service = new HostService(engine, {
  host: 'electron',
  workDir: join(app.getPath('temp'), `sketchpad-${process.pid}-${randomBytes(4).toString('hex')}`),
  acceptPaths: true,
  mediaUrl: (clipId) => `sketchpad-media://clip/${clipId}`,
  exportUrl: (exportId) => `sketchpad-media://export/${exportId}`,
  projectsDir: join(app.getPath('userData'), 'projects'),
  maxUploadBytes: audioLimits.maxFileBytes,
});

/** One API server per window, so a closed window's jobs are cancelled with it. */
const servers = new Map<number, RpcServer<typeof apiMethods>>();

function serverFor(contents: WebContents): RpcServer<typeof apiMethods> {
  let server = servers.get(contents.id);
  if (!server) {
    const created = new RpcServer(apiMethods, service.handlers, (message) => {
      if (!contents.isDestroyed()) contents.send(apiChannel, message);
    });
    contents.once('destroyed', () => {
      created.cancelAll();
      servers.delete(contents.id);
    });
    servers.set(contents.id, created);
    server = created;
  }
  return server;
}

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    title: 'Sketchpad',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  // No remote content and no new windows: the app is entirely local.
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  if (process.env.ELECTRON_RENDERER_URL) void window.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
}

void app.whenReady().then(() => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy({ connectSelf: false })] } });
  });
  protocol.handle('sketchpad-media', (request) => {
    const url = new URL(request.url);
    const id = url.pathname.replace(/^\//, '');
    const path = url.host === 'export' ? service.exportPath(id) : service.mediaPath(id);
    return path ? net.fetch(pathToFileURL(path).href) : new Response('Not found.', { status: 404 });
  });
  // Save an export where the person chooses; nothing else of the file system is open to the renderer.
  ipcMain.handle('sketchpad:save-export', async (event, exportId: unknown) => {
    const path = typeof exportId === 'string' ? service.exportPath(exportId) : null;
    const window = BrowserWindow.fromWebContents(event.sender);
    if (!path || !window) return null;
    const choice = await dialog.showSaveDialog(window, { defaultPath: basename(path), filters: [{ name: 'WAV audio', extensions: ['wav'] }] });
    if (choice.canceled || !choice.filePath) return null;
    await copyFile(path, choice.filePath);
    return choice.filePath;
  });
  // Drag a rendered WAV out of the window into a DAW or the desktop.
  ipcMain.on('sketchpad:drag-export', (event, exportId: unknown) => {
    const path = typeof exportId === 'string' ? service.exportPath(exportId) : null;
    if (path) event.sender.startDrag({ file: path, icon: join(import.meta.dirname, '../../resources/drag-icon.png') });
  });
  ipcMain.on(apiChannel, (event, message: unknown) => void serverFor(event.sender).receive(message));
  installMenu(() => BrowserWindow.getFocusedWindow());
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => void service.dispose());
