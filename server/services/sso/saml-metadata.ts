import { DOMParser } from "@xmldom/xmldom";
import { InvalidInputError } from "../errors";

const MD = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS = "http://www.w3.org/2000/09/xmldsig#";
const REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  /** PEM certificates marked for signing (or for any use). */
  certs: string[];
}

const toPem = (base64: string) => {
  const body = base64.replace(/\s+/g, "");
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
};

/**
 * What sign-in needs from an IdP's SAML metadata: its entity id, where to send the AuthnRequest
 * (HTTP-Redirect preferred, HTTP-POST accepted) and its signing certificates. The signature checks
 * themselves are node-saml's; this only reads the document the owner gave (no DTDs, no entities).
 */
export function parseIdpMetadata(xml: string): IdpMetadata {
  if (/<!DOCTYPE/i.test(xml)) throw new InvalidInputError("metadataXml: a DOCTYPE is not accepted in SAML metadata");
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: { warning: () => {}, error: (m) => errors.push(String(m)), fatalError: (m) => errors.push(String(m)) },
  }).parseFromString(xml, "text/xml");
  const root = doc?.documentElement;
  if (errors.length || !root) throw new InvalidInputError("metadataXml is not well-formed XML");
  const entity =
    root.localName === "EntityDescriptor" && root.namespaceURI === MD
      ? root
      : (root.getElementsByTagNameNS(MD, "EntityDescriptor")[0] ?? null);
  const idp = entity?.getElementsByTagNameNS(MD, "IDPSSODescriptor")[0];
  if (!entity || !idp) throw new InvalidInputError("metadataXml has no EntityDescriptor with an IDPSSODescriptor");
  const entityId = entity.getAttribute("entityID");
  if (!entityId) throw new InvalidInputError("metadataXml: the EntityDescriptor has no entityID");

  const services = Array.from(idp.getElementsByTagNameNS(MD, "SingleSignOnService"));
  const service = services.find((s) => s.getAttribute("Binding") === REDIRECT) ?? services.find((s) => s.getAttribute("Binding") === POST);
  const ssoUrl = service?.getAttribute("Location");
  if (!ssoUrl) throw new InvalidInputError("metadataXml has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding");

  const certs = Array.from(idp.getElementsByTagNameNS(MD, "KeyDescriptor"))
    .filter((k) => (k.getAttribute("use") ?? "signing") === "signing")
    .flatMap((k) => Array.from(k.getElementsByTagNameNS(DS, "X509Certificate")).map((c) => c.textContent ?? ""))
    .filter((c) => c.trim())
    .map(toPem);
  if (certs.length === 0) throw new InvalidInputError("metadataXml has no signing certificate (KeyDescriptor/X509Certificate)");
  return { entityId, ssoUrl, certs };
}
