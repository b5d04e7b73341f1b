import * as Tone from 'tone';

export interface LanePlayback {
  readonly id: string;
  readonly url: string;
  /** Where the lane starts on the timeline, seconds. */
  readonly offset: number;
}

/**
 * Plays timeline lanes through Tone.js. Each lane has its own gain, so mute, solo and A/B switches
 * take effect at once while playing, with no gap. Buffers are fetched once per lane.
 */
export class ClipPlayer {
  private readonly buffers = new Map<string, Tone.ToneAudioBuffer>();
  private readonly voices = new Map<string, { player: Tone.Player; gain: Tone.Gain }>();
  private readonly meter = new Tone.Meter({ normalRange: false, smoothing: 0.6 });
  private startedAt = 0;
  private offset = 0;
  private readonly click = new Tone.MembraneSynth({ pitchDecay: 0.008, octaves: 2, envelope: { attack: 0.001, decay: 0.05, sustain: 0 } }).toDestination();
  private clickEvent: number | null = null;

  constructor() {
    Tone.getDestination().connect(this.meter);
  }

  private async load(url: string): Promise<Tone.ToneAudioBuffer> {
    const cached = this.buffers.get(url);
    if (cached) return cached;
    const buffer = await new Tone.ToneAudioBuffer().load(url);
    this.buffers.set(url, buffer);
    return buffer;
  }

  /** Starts all lanes from timeline position `from`; `audible` lanes at full level, the rest silent; a click every beat at `metronomeBpm`. */
  async play(lanes: readonly LanePlayback[], from: number, audible: ReadonlySet<string>, metronomeBpm: number | null = null): Promise<void> {
    await Tone.start();
    this.stop();
    const buffers = await Promise.all(lanes.map((lane) => this.load(lane.url)));
    const now = Tone.now() + 0.05;
    lanes.forEach((lane, i) => {
      const buffer = buffers[i]!;
      const into = from - lane.offset;
      if (into >= buffer.duration) return;
      const gain = new Tone.Gain(audible.has(lane.id) ? 1 : 0).toDestination();
      const player = new Tone.Player(buffer).connect(gain);
      if (into >= 0) player.start(now, into);
      else player.start(now - into, 0);
      this.voices.set(lane.id, { player, gain });
    });
    this.startedAt = now;
    this.offset = from;
    if (metronomeBpm) {
      // Beats fall on whole multiples of the beat from timeline zero, wherever playback starts.
      const transport = Tone.getTransport();
      transport.bpm.value = metronomeBpm;
      this.clickEvent = transport.scheduleRepeat((time) => this.click.triggerAttackRelease('C6', 0.03, time, 0.6), '4n', 0);
      transport.start(now, from);
    }
  }

  /** Mute, solo or A/B while playing: ramps each lane's gain within a few milliseconds. */
  setAudible(audible: ReadonlySet<string>): void {
    for (const [id, voice] of this.voices) voice.gain.gain.rampTo(audible.has(id) ? 1 : 0, 0.01);
  }

  stop(): void {
    if (this.clickEvent !== null) {
      Tone.getTransport().stop();
      Tone.getTransport().clear(this.clickEvent);
      this.clickEvent = null;
    }
    for (const { player, gain } of this.voices.values()) {
      player.stop();
      player.dispose();
      gain.dispose();
    }
    this.voices.clear();
  }

  get playing(): boolean {
    return this.voices.size > 0;
  }

  /** Seconds into the timeline. */
  get position(): number {
    return this.offset + Math.max(0, Tone.now() - this.startedAt);
  }

  /** Output level in dBFS (-Infinity when silent). */
  get level(): number {
    const value = this.meter.getValue();
    return Array.isArray(value) ? Math.max(...value) : value;
  }
}
