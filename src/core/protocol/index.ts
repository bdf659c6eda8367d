// The Web PubSub client protocols as pure, browser-safe code: typed frames, codecs, close
// codes and reliable sequence bookkeeping. Shared by the emulator, the client SDK and tests.
export * from "./constants.js";
export type * from "./frames.js";
export * from "./closeCodes.js";
export type { DecodeResult, ProtocolError, ProtocolErrorReason } from "./errors.js";
export { JsonText, encodeData, decodeData } from "./data.js";
export { encodeFrame, encodePlainFrame, prepareMessageFrame, type PreparedMessageFrame } from "./encode.js";
export { decodeClientFrame, decodeServiceFrame, readServiceFrame } from "./decode.js";
export { SequenceReceiver, SequenceSender } from "./sequence.js";
export { bytesToBase64, base64ToBytes, isBase64 } from "./base64.js";
