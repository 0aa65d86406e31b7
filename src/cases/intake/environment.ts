/**
 * What a customer writes for "environment" → the policy's environment and VANTIQ's deployment kind (pure).
 * "Production (public cloud)", "staging", "Konneqt pre production", "dev.vantiq.com", "edge node in prod".
 */
import type { Environment } from "../../policy/types.js";

export type Deployment = "public-cloud" | "private-cloud" | "edge-node";

export interface NormalisedEnvironment {
  environment: Environment | null;
  deployment: Deployment | null;
}

// Pre-production first: "pre-production" and "non-prod" contain "prod".
const PRE_PRODUCTION =
  /\b(pre[\s_-]?prod(uction)?|preprod|non[\s_-]?prod(uction)?|stag(e|ing)|qa|test(ing)?|uat|acceptance|homolog(ation|ação)?)\b/gi;
const PRODUCTION = /\b(prod(uction)?|live|api\.vantiq\.com)\b/i;
const DEVELOPMENT = /\b(dev(el|elopment)?|sandbox|dev\.vantiq\.com|local(host)?)\b/i;

const DEPLOYMENTS: Array<[Deployment, RegExp]> = [
  ["edge-node", /\bedge\b/i],
  ["private-cloud", /\b(private[\s_-]?cloud|on[\s_-]?prem(ise|ises)?|self[\s_-]?(hosted|managed)|customer[\s_-]?managed)\b/i],
  ["public-cloud", /\b(public[\s_-]?cloud|saas|(api|dev)\.vantiq\.com|vantiq[\s_-]?cloud|hosted)\b/i],
];

/**
 * Several environments named ("dev and prod") → the most critical one, since the issue is
 * exhibited there: production, then pre-production, then development.
 */
export function normaliseEnvironment(value: string | null | undefined): NormalisedEnvironment {
  if (!value) return { environment: null, deployment: null };
  const deployment = DEPLOYMENTS.find(([, re]) => re.test(value))?.[0] ?? null;
  // Remove pre-production words before looking for "prod", so "pre-production" is not production.
  const withoutPre = value.replace(PRE_PRODUCTION, " ");
  const hasPre = withoutPre !== value;
  const environment: Environment | null = PRODUCTION.test(withoutPre)
    ? "production"
    : hasPre
      ? "pre-production"
      : DEVELOPMENT.test(withoutPre)
        ? "development"
        : null;
  return { environment, deployment };
}
