// Local SAML 2.0 identity provider for SSO tests.
//
// Signatures come from xml-crypto (SignedXml) and incoming AuthnRequests are parsed with @xmldom/xmldom; this file only
// assembles XML text. Keys are the fixed test pair next to this file (saml-idp.key/.crt), plus a second pair
// (saml-idp-other.key/.crt) for "signed by the wrong key" cases.
//
// Library use:  const idp = await startSamlIdp({ entityId });  idp.buildResponse({ acsUrl, audience, email, ... })
// Pure use:     buildSamlResponse({ entityId, acsUrl, audience, email, ... })  (no server needed)
// CLI use:      node tests/helpers/idp/saml-idp.mjs --port 4556 --entity-id http://127.0.0.1:4556/metadata
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { listen, runAsCli, serveUntilSignal } from "./cli.mjs";
import { inflateRawSync } from "node:zlib";
import { DOMParser } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";

const NS = {
  assertion: "urn:oasis:names:tc:SAML:2.0:assertion",
  protocol: "urn:oasis:names:tc:SAML:2.0:protocol",
  metadata: "urn:oasis:names:tc:SAML:2.0:metadata",
  dsig: "http://www.w3.org/2000/09/xmldsig#",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
  xs: "http://www.w3.org/2001/XMLSchema",
};
const STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
const BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

function readSibling(name) {
  return readFileSync(new URL(`./${name}`, import.meta.url), "utf8");
}

const KEYS = {
  idp: { privateKey: readSibling("saml-idp.key"), certPem: readSibling("saml-idp.crt") },
  other: { privateKey: readSibling("saml-idp-other.key"), certPem: readSibling("saml-idp-other.crt") },
};

/** PEM of the certificate the SP should trust (the "idp" key). */
export const IDP_CERT_PEM = KEYS.idp.certPem;

/** Base64 body of a PEM certificate, as metadata and KeyInfo carry it. */
function certBody(pem) {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
}

function escapeXml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]);
}

const escapeHtml = escapeXml;

function newId() {
  return `_${randomBytes(20).toString("hex")}`;
}

function isoTime(date) {
  return new Date(date).toISOString();
}

/** `attr="value"` only when the value is present, so optional attributes stay out of the XML entirely. */
function optionalAttr(name, value) {
  return value == null ? "" : ` ${name}="${escapeXml(value)}"`;
}

function attributeXml(name, values) {
  const items = values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`).join("");
  return `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${items}</saml:Attribute>`;
}

function assertionXml(o) {
  return (
    `<saml:Assertion xmlns:saml="${NS.assertion}" xmlns:xsi="${NS.xsi}" xmlns:xs="${NS.xs}" ID="${o.assertionId}" Version="2.0" IssueInstant="${o.now}">` +
    `<saml:Issuer>${escapeXml(o.issuer)}</saml:Issuer>` +
    "<saml:Subject>" +
    `<saml:NameID Format="${NAMEID_EMAIL}">${escapeXml(o.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData${optionalAttr("InResponseTo", o.inResponseTo)} NotOnOrAfter="${o.notOnOrAfter}" Recipient="${escapeXml(o.acsUrl)}"/>` +
    "</saml:SubjectConfirmation>" +
    "</saml:Subject>" +
    `<saml:Conditions NotBefore="${o.notBefore}" NotOnOrAfter="${o.notOnOrAfter}">` +
    `<saml:AudienceRestriction><saml:Audience>${escapeXml(o.audience)}</saml:Audience></saml:AudienceRestriction>` +
    "</saml:Conditions>" +
    `<saml:AuthnStatement AuthnInstant="${o.now}" SessionIndex="${o.sessionIndex}"${optionalAttr("SessionNotOnOrAfter", o.sessionNotOnOrAfter)}>` +
    "<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>" +
    "</saml:AuthnStatement>" +
    `<saml:AttributeStatement>${attributeXml("email", [o.email])}${attributeXml("groups", o.groups)}</saml:AttributeStatement>` +
    "</saml:Assertion>"
  );
}

function responseXml(o, assertion) {
  return (
    `<samlp:Response xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${o.responseId}" Version="2.0" IssueInstant="${o.now}"` +
    `${optionalAttr("Destination", o.destination)}${optionalAttr("InResponseTo", o.inResponseTo)}>` +
    `<saml:Issuer>${escapeXml(o.issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${escapeXml(o.status)}"/></samlp:Status>` +
    assertion +
    "</samlp:Response>"
  );
}

/**
 * Enveloped signature over the element selected by `elementXpath`, placed right after that element's Issuer child
 * (the position the SAML schema requires), with the certificate in KeyInfo.
 */
function signElement(xml, elementXpath, key) {
  const sig = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certPem,
    signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    canonicalizationAlgorithm: EXC_C14N,
  });
  sig.addReference({ xpath: elementXpath, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256" });
  sig.computeSignature(xml, {
    prefix: "ds",
    location: { reference: `${elementXpath}/*[local-name(.)='Issuer']`, action: "after" },
  });
  return sig.getSignedXml();
}

const SIGN_MODES = new Set(["assertion", "response", "both", "none"]);

/**
 * Builds a base64 SAMLResponse (POST binding) as an IdP would send it to the ACS.
 * `includeAssertion` defaults to true only for a Success status: real IdPs send a bare Status on failure, and
 * node-saml only reads the status when no assertion is present.
 * @returns {string}
 */
export function buildSamlResponse({
  entityId,
  acsUrl,
  audience,
  inResponseTo,
  email,
  groups = [],
  nameId = email,
  notBefore = Date.now() - 60_000,
  notOnOrAfter = Date.now() + 5 * 60_000,
  sessionNotOnOrAfter,
  sign = "assertion",
  key = "idp",
  issuer = entityId,
  destination = acsUrl,
  status = STATUS_SUCCESS,
  includeAssertion = status === STATUS_SUCCESS,
}) {
  if (!SIGN_MODES.has(sign)) throw new Error(`buildSamlResponse: sign must be one of ${[...SIGN_MODES].join(", ")}`);
  const signingKey = KEYS[key];
  if (!signingKey) throw new Error(`buildSamlResponse: key must be "idp" or "other", got "${key}"`);
  for (const [name, value] of Object.entries({ acsUrl, audience, email, issuer })) {
    if (!value) throw new Error(`buildSamlResponse: ${name} is required`);
  }

  const o = {
    responseId: newId(),
    assertionId: newId(),
    sessionIndex: newId(),
    now: isoTime(Date.now()),
    notBefore: isoTime(notBefore),
    notOnOrAfter: isoTime(notOnOrAfter),
    sessionNotOnOrAfter: sessionNotOnOrAfter == null ? undefined : isoTime(sessionNotOnOrAfter),
    acsUrl,
    audience,
    inResponseTo,
    email,
    groups,
    nameId,
    issuer,
    destination,
    status,
  };

  let xml = responseXml(o, includeAssertion ? assertionXml(o) : "");
  // Assertion first: the response signature then covers the already-signed assertion, as real IdPs do.
  if (includeAssertion && (sign === "assertion" || sign === "both")) {
    xml = signElement(xml, "/*[local-name(.)='Response']/*[local-name(.)='Assertion']", signingKey);
  }
  if (sign === "response" || sign === "both") {
    xml = signElement(xml, "/*[local-name(.)='Response']", signingKey);
  }
  return Buffer.from(xml, "utf8").toString("base64");
}

function metadataXml({ entityId, ssoUrl, certPem }) {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<md:EntityDescriptor xmlns:md="${NS.metadata}" xmlns:ds="${NS.dsig}" entityID="${escapeXml(entityId)}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${NS.protocol}">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certBody(certPem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:NameIDFormat>${NAMEID_EMAIL}</md:NameIDFormat>` +
    `<md:SingleSignOnService Binding="${BINDING_REDIRECT}" Location="${escapeXml(ssoUrl)}"/>` +
    `<md:SingleSignOnService Binding="${BINDING_POST}" Location="${escapeXml(ssoUrl)}"/>` +
    "</md:IDPSSODescriptor>" +
    "</md:EntityDescriptor>\n"
  );
}

/** Decodes a SAMLRequest: raw-deflated for the Redirect binding, plain base64 for the POST binding. */
function decodeSamlRequest(encoded, deflated) {
  const bytes = Buffer.from(encoded, "base64");
  return (deflated ? inflateRawSync(bytes) : bytes).toString("utf8");
}

/** Pulls ID, ACS URL and Issuer out of an AuthnRequest; throws on malformed XML or a different message type. */
function parseAuthnRequest(xml) {
  const fail = (msg) => {
    throw new Error(`invalid AuthnRequest XML: ${msg}`);
  };
  const doc = new DOMParser({ errorHandler: { warning: () => {}, error: fail, fatalError: fail } }).parseFromString(xml, "text/xml");
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== NS.protocol || root.localName !== "AuthnRequest") {
    throw new Error("SAMLRequest is not a samlp:AuthnRequest");
  }
  const issuerEl = root.getElementsByTagNameNS(NS.assertion, "Issuer")[0];
  return {
    id: root.getAttribute("ID"),
    acsUrl: root.getAttribute("AssertionConsumerServiceURL"),
    issuer: issuerEl ? issuerEl.textContent.trim() : "",
  };
}

function page(title, body, bodyAttrs = "") {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body${bodyAttrs}>${body}</body></html>`;
}

function hidden(name, value) {
  return `<input type="hidden" name="${name}" value="${escapeHtml(value ?? "")}">`;
}

function loginPage(request, relayState) {
  return page(
    "Test SAML IdP - Sign in",
    `<h1>Test SAML IdP</h1><p>Signing in to ${escapeHtml(request.issuer)}</p>` +
      `<form method="post" action="/sso/login">` +
      hidden("inResponseTo", request.id) +
      hidden("acsUrl", request.acsUrl) +
      hidden("audience", request.issuer) +
      hidden("RelayState", relayState) +
      `<p><label for="email">E-mail</label> <input id="email" name="email" type="text" required autofocus></p>` +
      `<p><label for="groups">Groups</label> <input id="groups" name="groups" type="text" placeholder="eng,admins"></p>` +
      `<button type="submit">Sign in</button>` +
      "</form>",
  );
}

function autoPostPage(acsUrl, samlResponse, relayState) {
  return page(
    "Test SAML IdP - Continue",
    `<form method="post" action="${escapeHtml(acsUrl)}">` +
      hidden("SAMLResponse", samlResponse) +
      (relayState ? hidden("RelayState", relayState) : "") +
      `<button type="submit">Continue</button>` +
      "</form>",
    ` onload="document.forms[0].submit()"`,
  );
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function send(res, status, contentType, body) {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(body);
}

/** Renders the login form for an AuthnRequest from either binding; a bad request is a 400 with the reason. */
function handleSso(res, samlRequest, relayState, deflated) {
  if (!samlRequest) return send(res, 400, "text/plain; charset=utf-8", "missing SAMLRequest");
  let request;
  try {
    request = parseAuthnRequest(decodeSamlRequest(samlRequest, deflated));
  } catch (error) {
    return send(res, 400, "text/plain; charset=utf-8", String(error.message));
  }
  if (!request.acsUrl) return send(res, 400, "text/plain; charset=utf-8", "AuthnRequest has no AssertionConsumerServiceURL");
  send(res, 200, "text/html; charset=utf-8", loginPage(request, relayState));
}

function createHandler(idp) {
  return async (req, res) => {
    const url = new URL(req.url, idp.baseUrl);
    try {
      if (req.method === "GET" && url.pathname === "/metadata") {
        return send(res, 200, "application/samlmetadata+xml; charset=utf-8", idp.metadataXml);
      }
      if (req.method === "GET" && url.pathname === "/sso") {
        return handleSso(res, url.searchParams.get("SAMLRequest"), url.searchParams.get("RelayState"), true);
      }
      if (req.method === "POST" && url.pathname === "/sso") {
        const form = await readForm(req);
        return handleSso(res, form.get("SAMLRequest"), form.get("RelayState"), false);
      }
      if (req.method === "POST" && url.pathname === "/sso/login") {
        const form = await readForm(req);
        const groups = (form.get("groups") ?? "")
          .split(",")
          .map((g) => g.trim())
          .filter(Boolean);
        const acsUrl = form.get("acsUrl");
        const samlResponse = idp.buildResponse({
          acsUrl,
          audience: form.get("audience"),
          inResponseTo: form.get("inResponseTo") || undefined,
          email: form.get("email"),
          groups,
        });
        return send(res, 200, "text/html; charset=utf-8", autoPostPage(acsUrl, samlResponse, form.get("RelayState")));
      }
      send(res, 404, "text/plain; charset=utf-8", "not found");
    } catch (error) {
      send(res, 500, "text/plain; charset=utf-8", String(error?.stack ?? error));
    }
  };
}

/**
 * Starts the IdP on http. `entityId` defaults to the metadata URL.
 * @returns {Promise<{ entityId: string, ssoUrl: string, metadataUrl: string, metadataXml: string, certPem: string,
 *   close: () => Promise<void>, buildResponse: (opts: object) => string }>}
 */
export async function startSamlIdp({ port = 0, host = "127.0.0.1", entityId } = {}) {
  const server = createServer();
  const baseUrl = await listen(server, port, host);
  const ssoUrl = `${baseUrl}/sso`;
  const metadataUrl = `${baseUrl}/metadata`;
  const resolvedEntityId = entityId ?? metadataUrl;
  const idp = {
    baseUrl,
    metadataXml: metadataXml({ entityId: resolvedEntityId, ssoUrl, certPem: IDP_CERT_PEM }),
    buildResponse: (opts) => buildSamlResponse({ entityId: resolvedEntityId, ...opts }),
  };
  server.on("request", createHandler(idp));

  async function close() {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(() => resolve()));
  }
  return {
    entityId: resolvedEntityId,
    ssoUrl,
    metadataUrl,
    metadataXml: idp.metadataXml,
    certPem: IDP_CERT_PEM,
    close,
    buildResponse: idp.buildResponse,
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      "entity-id": { type: "string" },
    },
  });
  const idp = await startSamlIdp({ port: Number(values.port), host: values.host, entityId: values["entity-id"] });
  serveUntilSignal(idp, { entityId: idp.entityId, ssoUrl: idp.ssoUrl, metadataUrl: idp.metadataUrl });
}

runAsCli(import.meta.url, main);
