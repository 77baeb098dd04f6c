// A nested Web Worker of the analysis worker (ripsWorkers.ts): answers the persistence core's messages with
// ripsWorkerHandler, writing each answer into its shared-memory mailbox, since the analysis worker waits for them
// blocked in Atomics.wait and cannot receive messages meanwhile.
import { ripsWorkerHandler, type RipsWorkerMessage } from '../tda/ripsCohomology';
import { MailboxWriter } from '../threads/sharedMailbox';
import type { RipsWorkerEnvelope } from './ripsWorkers';

const scope = self as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<RipsWorkerEnvelope>) => void) | null;
};

let handle = ripsWorkerHandler();
let mailbox: MailboxWriter | null = null;

scope.onmessage = ({ data }) => {
  if (data.kind === 'mailbox') {
    mailbox = new MailboxWriter(data.mailbox);
    // The one answer by postMessage: the analysis worker awaits it before any persistence starts.
    scope.postMessage('ready');
    return;
  }
  if (data.kind === 'release') {
    handle = ripsWorkerHandler();
    return;
  }
  const box = mailbox;
  if (box === null) return;
  const { seq, message } = data;
  try {
    // The buffers to move are for postMessage; the mailbox copies them anyway.
    handle(message as RipsWorkerMessage, (reply) => box.write(seq, reply));
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    box.write(seq, { error: error.message, name: error.name });
  }
};
