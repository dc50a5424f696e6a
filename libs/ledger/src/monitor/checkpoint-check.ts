import { parseCheckpointBody, parseNote, verifyCosignature, verifyNoteSignature, type CheckpointBody, type Note } from '../note.js';
import type { Pins } from './pins.js';

export interface CheckedCheckpoint {
  readonly note: string;
  readonly origin: string;
  readonly size: number;
  /** Lowercase hex, as the ledger writes hashes. */
  readonly rootHash: string;
  /** The names of the distinct pinned witnesses whose cosignature verifies. */
  readonly cosigners: readonly string[];
}

export interface CheckpointCheck {
  /** Undefined when the note is not a checkpoint of the pinned log at all: nothing else can be checked against it. */
  readonly checkpoint?: CheckedCheckpoint;
  readonly problems: readonly string[];
}

/**
 * A checkpoint counts only when the pinned log key signed it under its own name (which is the
 * origin) and enough distinct pinned witnesses cosigned it: the witnesses are what make a log
 * that shows different histories to different monitors get caught.
 */
export async function checkCheckpointNote(text: string, pins: Pins): Promise<CheckpointCheck> {
  let note: Note;
  let body: CheckpointBody;
  try {
    note = parseNote(text);
    body = parseCheckpointBody(note.body);
  } catch (err) {
    return { problems: [`the checkpoint is not a signed checkpoint note: ${err instanceof Error ? err.message : String(err)}`] };
  }
  if (body.origin !== pins.origin) {
    return { problems: [`the checkpoint's origin "${body.origin}" is not the pinned log "${pins.origin}"`] };
  }
  if (!(await verifyNoteSignature(note, pins.logKey))) {
    const signers = [...new Set(note.signatures.map((s) => `${s.name}+${s.keyId.toString('hex')}`))].join(', ') || 'nobody';
    return { problems: [`checkpoint ${body.size} is not signed by the pinned log key ${keyLabel(pins)} (signed by: ${signers})`] };
  }
  const cosigners = new Set<string>();
  for (const witness of pins.witnesses) {
    if (!cosigners.has(witness.name) && (await verifyCosignature(note, witness)) !== undefined) cosigners.add(witness.name);
  }
  const checkpoint = { note: text, origin: body.origin, size: body.size, rootHash: body.rootHash, cosigners: [...cosigners] };
  const problems =
    cosigners.size < pins.quorum
      ? [`checkpoint ${body.size} has ${cosigners.size} valid cosignature${cosigners.size === 1 ? '' : 's'} from pinned witnesses; the quorum is ${pins.quorum}`]
      : [];
  return { checkpoint, problems };
}

function keyLabel(pins: Pins): string {
  return `${pins.logKey.name}+${pins.logKey.keyId.toString('hex')}`;
}
