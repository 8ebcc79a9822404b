"""Checks an Amazon RDS IAM auth token the way RDS does, for the AWS IAM
login tests: PAM's pam_exec runs it (expose_authtok) for the test server's
logins, with the token on stdin and the login role in PAM_USER.

    rds_token_verifier.py SECRETS_JSON EXPECTED_HOST_PORT

SECRETS_JSON maps access key IDs to their secret keys. The token must be
a presigned `connect` request for EXPECTED_HOST_PORT and the login role,
still valid, and its SigV4 signature must be the one botocore computes with
that key's secret. Exit 0 accepts the login; anything else refuses it, and
the reason goes to stderr and to verifier.log beside SECRETS_JSON."""

import datetime
import hmac
import json
import os
import sys
from urllib.parse import parse_qsl, unquote

from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def note(line):
    """Appends a line to verifier.log beside SECRETS_JSON, where the tests
    read it."""
    try:
        with open(os.path.join(os.path.dirname(sys.argv[1]), "verifier.log"), "a") as f:
            f.write("rds_token_verifier: %s\n" % line)
    except OSError:
        pass


def refuse(why):
    sys.stderr.write("rds_token_verifier: %s\n" % why)
    note(why)
    sys.exit(1)


def main():
    secrets_path, expected = sys.argv[1], sys.argv[2]
    token = sys.stdin.buffer.read().decode("utf-8", "replace").strip("\0\r\n")
    note("token of %d characters for %r" % (len(token), os.environ.get("PAM_USER")))
    user = os.environ.get("PAM_USER", "")
    endpoint, sep, query = token.partition("/?")
    if not sep:
        refuse("not a presigned URL")
    if endpoint != expected:
        refuse("signed for %s, not %s" % (endpoint, expected))
    pieces = query.split("&")
    params = dict(parse_qsl(query, keep_blank_values=True))
    if params.get("Action") != "connect":
        refuse("Action is not connect")
    if params.get("DBUser") != user:
        refuse("signed for user %r, not %r" % (params.get("DBUser"), user))
    if params.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
        refuse("not SigV4")
    key_id, date, region, service, _ = params["X-Amz-Credential"].split("/")
    if service != "rds-db":
        refuse("signed for service %s" % service)
    amz_date = params["X-Amz-Date"]
    signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    age = (datetime.datetime.utcnow() - signed_at).total_seconds()
    if age > int(params["X-Amz-Expires"]) or int(params["X-Amz-Expires"]) > 900 or age < -300:
        refuse("expired or not yet valid")
    with open(secrets_path) as f:
        secrets = json.load(f)
    if key_id not in secrets:
        refuse("unknown access key %s" % key_id)
    # Sign the same request again, with everything but the signature.
    unsigned = "&".join(p for p in pieces if not p.startswith("X-Amz-Signature="))
    request = AWSRequest(method="GET", url="https://%s/?%s" % (endpoint, unsigned))
    request.context["timestamp"] = amz_date
    session_token = params.get("X-Amz-Security-Token")
    auth = SigV4QueryAuth(
        Credentials(key_id, secrets[key_id], session_token), "rds-db", region, expires=900
    )
    canonical = auth.canonical_request(request)
    string_to_sign = auth.string_to_sign(request, canonical)
    expected_signature = auth.signature(string_to_sign, request)
    if not hmac.compare_digest(expected_signature, params.get("X-Amz-Signature", "")):
        refuse("signature mismatch (canonical request:\n%s)" % canonical)
    sys.exit(0)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # a malformed token is a refusal, not a crash
        refuse("malformed token: %r" % (e,))
