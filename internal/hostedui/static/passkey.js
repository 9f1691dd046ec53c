// Passkey ceremonies of the hosted pages. The page's form carries the
// server's options (data-passkey-create or data-passkey-get, JSON with
// base64url binary fields); this script hands them to the browser's
// WebAuthn API, puts the answer, as JSON, in the form's "credential"
// field and submits it. Without WebAuthn, or when the ceremony fails or
// is cancelled, it shows the form's fallback message and leaves the
// page's other sign-in choices in place.
(function () {
  "use strict";

  function toBytes(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function toB64(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var out = { type: d.type, id: toBytes(d.id) };
      if (d.transports) out.transports = d.transports;
      return out;
    });
  }

  function creationOptions(o) {
    var pk = Object.assign({}, o);
    pk.challenge = toBytes(o.challenge);
    pk.user = Object.assign({}, o.user, { id: toBytes(o.user.id) });
    pk.excludeCredentials = descriptors(o.excludeCredentials);
    return pk;
  }

  function requestOptions(o) {
    var pk = Object.assign({}, o);
    pk.challenge = toBytes(o.challenge);
    pk.allowCredentials = descriptors(o.allowCredentials);
    return pk;
  }

  function credentialJSON(c) {
    var r = c.response;
    var response = { clientDataJSON: toB64(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64(r.attestationObject);
      if (r.getTransports) response.transports = r.getTransports();
    } else {
      response.authenticatorData = toB64(r.authenticatorData);
      response.signature = toB64(r.signature);
      if (r.userHandle) response.userHandle = toB64(r.userHandle);
    }
    return JSON.stringify({
      id: c.id,
      rawId: toB64(c.rawId),
      type: c.type,
      authenticatorAttachment: c.authenticatorAttachment || undefined,
      clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
      response: response,
    });
  }

  function fail(form) {
    var msg = document.getElementById(form.getAttribute("data-passkey-error"));
    if (msg) msg.hidden = false;
    var button = form.querySelector("button");
    if (button) button.disabled = false;
  }

  function setUp(form) {
    var create = form.getAttribute("data-passkey-create");
    var get = form.getAttribute("data-passkey-get");
    var supported = window.PublicKeyCredential && navigator.credentials;
    var unsupported = document.getElementById(form.getAttribute("data-passkey-unsupported"));
    if (!supported) {
      if (unsupported) unsupported.hidden = false;
      return;
    }
    form.hidden = false;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var error = document.getElementById(form.getAttribute("data-passkey-error"));
      if (error) error.hidden = true;
      var button = form.querySelector("button");
      if (button) button.disabled = true;
      var ceremony;
      try {
        ceremony = create
          ? navigator.credentials.create({ publicKey: creationOptions(JSON.parse(create)) })
          : navigator.credentials.get({ publicKey: requestOptions(JSON.parse(get)) });
      } catch (e) {
        fail(form);
        return;
      }
      ceremony.then(function (c) {
        if (!c) {
          fail(form);
          return;
        }
        form.elements.credential.value = credentialJSON(c);
        form.submit();
      }, function () {
        fail(form);
      });
    });
  }

  var forms = document.querySelectorAll("form[data-passkey-create], form[data-passkey-get]");
  for (var i = 0; i < forms.length; i++) setUp(forms[i]);
})();
