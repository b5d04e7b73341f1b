import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { ClipPlayer } from '../audio/clipPlayer';
import { useProject } from './project';
import { useToasts } from './toasts';

/** Play/stop, the playhead, the loop and the output level. */
export const useTransport = defineStore('transport', () => {
  const player = new ClipPlayer();
  const playing = ref(false);
  const position = ref(0);
  const level = ref(-Infinity);
  /** Loop this span of the timeline while playing; null plays to the end. */
  const loop = ref<{ start: number; end: number } | null>(null);
  /** Off by default; a click on every beat at this tempo while playing. */
  const metronome = ref({ on: false, bpm: 120 });
  let frame = 0;

  function lanesToPlay() {
    const project = useProject();
    return project.playable.map((lane) => ({ id: lane.id, url: project.media.get(lane.id)!.mediaUrl, offset: lane.offset }));
  }

  function follow(): void {
    const project = useProject();
    position.value = player.position;
    level.value = player.level;
    if (loop.value && position.value >= loop.value.end) {
      void start(loop.value.start);
      return;
    }
    if (position.value >= project.duration) {
      stop();
      position.value = 0;
      return;
    }
    frame = requestAnimationFrame(follow);
  }

  async function start(from: number): Promise<void> {
    const project = useProject();
    try {
      await player.play(lanesToPlay(), from, project.audible, metronome.value.on ? metronome.value.bpm : null);
      playing.value = true;
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(follow);
    } catch (error) {
      useToasts().show('error', `Playback failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async function play(): Promise<void> {
    const project = useProject();
    if (!project.playable.length) return;
    const from = loop.value ? Math.max(loop.value.start, Math.min(position.value, loop.value.end)) : position.value >= project.duration ? 0 : position.value;
    await start(from >= (loop.value?.end ?? Infinity) ? loop.value!.start : from);
  }

  function stop(): void {
    player.stop();
    playing.value = false;
    level.value = -Infinity;
    cancelAnimationFrame(frame);
  }

  function toggle(): Promise<void> | void {
    return playing.value ? stop() : play();
  }

  function seek(seconds: number): void {
    position.value = Math.max(0, seconds);
    if (playing.value) void start(position.value);
  }

  // Mute, solo and A/B apply at once while playing.
  watch(() => useProject().audible, (audible) => player.setAudible(audible));

  return { playing, position, level, loop, metronome, play, stop, toggle, seek };
});
