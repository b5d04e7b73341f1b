import { defineStore } from 'pinia';
import { ref } from 'vue';
import { ClipPlayer } from '../audio/clipPlayer';
import { useProject } from './project';
import { useToasts } from './toasts';

/** Play/stop and the playhead. */
export const useTransport = defineStore('transport', () => {
  const player = new ClipPlayer();
  const playing = ref(false);
  const position = ref(0);
  let frame = 0;

  function follow(): void {
    position.value = player.position;
    const project = useProject();
    if (position.value >= project.duration) {
      stop();
      position.value = 0;
      return;
    }
    frame = requestAnimationFrame(follow);
  }

  async function play(): Promise<void> {
    const project = useProject();
    if (!project.clips.length) return;
    try {
      await player.play(project.clips.map((c) => c.mediaUrl), position.value >= project.duration ? 0 : position.value);
      playing.value = true;
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(follow);
    } catch (error) {
      useToasts().show('error', `Playback failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  function stop(): void {
    player.stop();
    playing.value = false;
    cancelAnimationFrame(frame);
  }

  function toggle(): Promise<void> | void {
    return playing.value ? stop() : play();
  }

  function seek(seconds: number): void {
    position.value = Math.max(0, seconds);
    if (playing.value) void play();
  }

  return { playing, position, play, stop, toggle, seek };
});
