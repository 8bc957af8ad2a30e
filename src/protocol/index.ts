/**
 * AIM's wire contract, one module for both ends: the routes, the request schemas and limits, the
 * answers' shapes, and the agent-request-v1 signature. The reporter (src/report/aim) sends with
 * it, the local collector (src/collector) and `aim doctor` answer and check with it, so the two
 * cannot drift apart. Loaded only with the reporter's protocol, never at the app's startup.
 */
export { agentPath, agentRoutes, CAPABILITY_REPORT, capabilityReportPath, routeOf, REGISTRATION_PATH, SDK_API } from './routes.js';
export type { AgentRoute, RouteName } from './routes.js';
export {
  addMcpServersRequest,
  CAPABILITY_PATTERN,
  capabilityRequestRequest,
  detectionEvent,
  detectionReportRequest,
  firstIssue,
  grantCapabilityRequest,
  LIMITS,
  registerCapabilityRequest,
  registrationRequest,
} from './schemas.js';
export type { AddMcpServersRequest, CapabilityRequestRequest, DetectionEvent, DetectionReportRequest, GrantCapabilityRequest } from './schemas.js';
export { capabilityReportRequest, createMcpServerRequest, mcpConnectionRequest, mcpUsageReportRequest, RISK_LEVELS } from './signed-schemas.js';
export type { CapabilityReportRequest, CreateMcpServerRequest, McpConnectionRequest, McpUsageReportRequest, RiskLevel } from './signed-schemas.js';
export { flexible, isObject, readAgentView, readRecordId } from './shapes.js';
export type { AgentView } from './shapes.js';
export {
  generateAgentKeyPair,
  isTimestampRefusal,
  privateKeyFromBase64,
  publicKeyFromBase64,
  publicKeyOf,
  SIGNATURE_WINDOW_S,
  signingBytes,
  signRequest,
  skewFromDate,
  verifyRequest,
} from './signature.js';
export type { AgentKeyPair, SignInput, VerifyInput, VerifyResult } from './signature.js';
export {
  ALGORITHMS,
  generateMlDsaKeyPair,
  isAlgorithm,
  isHybrid,
  isMlDsaVariant,
  mlDsaPrivateKey,
  mlDsaPublicKey,
  mlDsaPublicKeyOf,
  mlDsaPublicKeySize,
  mlDsaVariantOf,
  mlDsaVerify,
} from './pqc.js';
export type { Algorithm, MlDsaKeyPair, MlDsaVariant } from './pqc.js';
