// The player's keys (KeyboardEvent.key → what to do).
export type KeyAction = 'toggle' | 'back' | 'forward' | 'fullscreen' | 'mute';

export function keyAction(key: string): KeyAction | null {
  switch (key) {
    case ' ':
    case 'Spacebar':
    case 'k':
      return 'toggle';
    case 'ArrowLeft':
      return 'back';
    case 'ArrowRight':
      return 'forward';
    case 'f':
    case 'F':
      return 'fullscreen';
    case 'm':
    case 'M':
      return 'mute';
    default:
      return null;
  }
}
