// What the engine accepts as a completion reply. Only 2xx completes a command; a 1xx/3xx where a final
// reply belongs is a protocol error of the receiving MTA and must never read as success upstream.
import { replies, replyText } from './reply.js';
import type { SmtpReply } from './reply.js';

export const isAccepted = (r: SmtpReply): boolean => r.code >= 200 && r.code < 300;

/** The reply as the upstream may see it: 2xx/4xx/5xx pass unchanged, anything else becomes 451 4.3.0. */
export function upstreamReply(r: SmtpReply): SmtpReply {
  if ((r.code >= 200 && r.code < 300) || (r.code >= 400 && r.code < 600)) return r;
  return replies.internalError(`unexpected reply from the receiving MTA: ${replyText(r)}`);
}
