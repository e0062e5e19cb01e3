/**
 * The address every request shares when no proxy is trusted. Next.js fills X-Forwarded-For
 * with the socket's address only when the client sent none, so without a trusted proxy the
 * header is the client's own choice and the real address is unknown.
 */
export const DIRECT = "direct";
