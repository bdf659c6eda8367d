// MQTT return and reason codes (MQTT 3.1.1 §3.2.2.3, MQTT 5.0 §3.2.2.2 and §3.14.2.1), and the
// HTTP <-> MQTT mapping of connect refusals, with the same tables as @azure/web-pubsub-express 1.1.0.

/** MQTT 3.1.1 CONNACK return codes. */
export const MqttV311ConnectReturnCode = {
  UnacceptableProtocolVersion: 1,
  IdentifierRejected: 2,
  ServerUnavailable: 3,
  BadUsernameOrPassword: 4,
  NotAuthorized: 5,
} as const;
/** An MQTT 3.1.1 CONNACK return code. */
export type MqttV311ConnectReturnCode = (typeof MqttV311ConnectReturnCode)[keyof typeof MqttV311ConnectReturnCode];

/** MQTT 5.0 CONNACK reason codes for refusals. */
export const MqttV500ConnectReasonCode = {
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  UnsupportedProtocolVersion: 0x84,
  ClientIdentifierNotValid: 0x85,
  BadUserNameOrPassword: 0x86,
  NotAuthorized: 0x87,
  ServerUnavailable: 0x88,
  ServerBusy: 0x89,
  Banned: 0x8a,
  BadAuthenticationMethod: 0x8c,
  TopicNameInvalid: 0x90,
  PacketTooLarge: 0x95,
  QuotaExceeded: 0x97,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  QosNotSupported: 0x9b,
  UseAnotherServer: 0x9c,
  ServerMoved: 0x9d,
  ConnectionRateExceeded: 0x9f,
} as const;
/** An MQTT 5.0 CONNACK reason code. */
export type MqttV500ConnectReasonCode = (typeof MqttV500ConnectReasonCode)[keyof typeof MqttV500ConnectReasonCode];

/** MQTT 5.0 DISCONNECT reason codes. */
export const MqttDisconnectReasonCode = {
  NormalDisconnection: 0x00,
  DisconnectWithWillMessage: 0x04,
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  NotAuthorized: 0x87,
  ServerBusy: 0x89,
  ServerShuttingDown: 0x8b,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  TopicNameInvalid: 0x90,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  PacketTooLarge: 0x95,
  MessageRateTooHigh: 0x96,
  QuotaExceeded: 0x97,
  AdministrativeAction: 0x98,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  QosNotSupported: 0x9b,
  UseAnotherServer: 0x9c,
  ServerMoved: 0x9d,
  SharedSubscriptionsNotSupported: 0x9e,
  ConnectionRateExceeded: 0x9f,
  MaximumConnectTime: 0xa0,
  SubscriptionIdentifiersNotSupported: 0xa1,
  WildcardSubscriptionsNotSupported: 0xa2,
} as const;
/** An MQTT 5.0 DISCONNECT reason code. */
export type MqttDisconnectReasonCode = (typeof MqttDisconnectReasonCode)[keyof typeof MqttDisconnectReasonCode];

const V5 = MqttV500ConnectReasonCode;
const V311 = MqttV311ConnectReturnCode;

/** The HTTP status the service expects for an MQTT refusal code; unknown codes map to 500. */
export function statusOfMqttCode(code: number): number {
  switch (code) {
    case V311.UnacceptableProtocolVersion:
    case V311.IdentifierRejected:
    case V5.ClientIdentifierNotValid:
    case V5.MalformedPacket:
    case V5.UnsupportedProtocolVersion:
    case V5.BadAuthenticationMethod:
    case V5.TopicNameInvalid:
    case V5.PayloadFormatInvalid:
    case V5.ImplementationSpecificError:
    case V5.PacketTooLarge:
    case V5.RetainNotSupported:
    case V5.QosNotSupported:
      return 400;
    case V311.BadUsernameOrPassword:
    case V311.NotAuthorized:
    case V5.NotAuthorized:
    case V5.BadUserNameOrPassword:
      return 401;
    case V5.Banned:
      return 403;
    case V5.QuotaExceeded:
    case V5.ConnectionRateExceeded:
      return 429;
    case V311.ServerUnavailable:
      return 503;
    default:
      return 500;
  }
}

/** The MQTT refusal code for an HTTP status, per protocol version (4 = 3.1.1, 5 = 5.0). */
export function mqttCodeOfStatus(status: number, protocolVersion: number): number {
  if (protocolVersion === 4) {
    return status === 400 ? V311.BadUsernameOrPassword : status === 401 ? V311.NotAuthorized : V311.ServerUnavailable;
  }
  if (protocolVersion === 5) {
    return status === 400 ? V5.BadUserNameOrPassword : status === 401 ? V5.NotAuthorized : V5.UnspecifiedError;
  }
  return V311.UnacceptableProtocolVersion;
}
