import * as Tone from 'tone';

/**
 * Plays clips through Tone.js. Buffers are fetched once per clip and kept, so starting playback is
 * instant after the first time.
 */
export class ClipPlayer {
  private readonly buffers = new Map<string, Tone.ToneAudioBuffer>();
  private readonly players: Tone.Player[] = [];
  private startedAt = 0;
  private offset = 0;

  async load(url: string): Promise<Tone.ToneAudioBuffer> {
    const cached = this.buffers.get(url);
    if (cached) return cached;
    const buffer = await new Tone.ToneAudioBuffer().load(url);
    this.buffers.set(url, buffer);
    return buffer;
  }

  /** Starts every given clip together from `offset` seconds. */
  async play(urls: readonly string[], offset = 0): Promise<void> {
    await Tone.start();
    this.stop();
    const buffers = await Promise.all(urls.map((url) => this.load(url)));
    const when = Tone.now() + 0.05;
    for (const buffer of buffers) {
      if (offset >= buffer.duration) continue;
      const player = new Tone.Player(buffer).toDestination();
      player.start(when, offset);
      this.players.push(player);
    }
    this.startedAt = when;
    this.offset = offset;
  }

  stop(): void {
    for (const player of this.players.splice(0)) {
      player.stop();
      player.dispose();
    }
  }

  get playing(): boolean {
    return this.players.some((p) => p.state === 'started');
  }

  /** Seconds into the timeline. */
  get position(): number {
    return this.offset + Math.max(0, Tone.now() - this.startedAt);
  }
}
