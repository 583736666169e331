/*
 * totp: one-time passwords (RFC 4226 HOTP, RFC 6238 TOTP with HMAC-SHA-1),
 * base32 (RFC 4648) for their secrets, the otpauth:// URL authenticator
 * apps read, and that URL as a QR code in SVG. Pure functions: no
 * database, no clock (callers pass the time step), no request.
 */
#ifndef REVENGE_AUTH_TOTP_H
#define REVENGE_AUTH_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define TOTP_PERIOD 30     /* seconds per time step */
#define TOTP_DIGITS 6      /* digits of a code */
#define TOTP_SECRET_LEN 20 /* 160 random bits (RFC 4226 §4 recommends ≥ 160) */
/* base32 text of a TOTP_SECRET_LEN secret: 32 characters, no padding */
#define TOTP_SECRET_B32 32

/* HOTP of key[0..keylen) and counter: the dynamically truncated
 * HMAC-SHA-1 value modulo 10^digits (digits 6 to 9); -1 when digits is out
 * of range or the MAC fails. */
long hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits);

/* The time step of unix time t (seconds): floor(t / TOTP_PERIOD). */
uint64_t totp_step(int64_t t);

/* The code for step written as TOTP_DIGITS digits with leading zeros into
 * out (TOTP_DIGITS + 1 bytes); 0 or -1. */
int totp_code(const unsigned char *key, size_t keylen, uint64_t step, char out[TOTP_DIGITS + 1]);

/* Upper-case base32 of p[0..n) without padding into out (needs
 * (8n + 4) / 5 + 1 bytes); returns the length written. */
size_t base32_encode(const void *p, size_t n, char *out);

/* Decode base32 s[0..len) into out (cap bytes): case-insensitive, '='
 * padding at the end and spaces or '-' between groups are ignored (as
 * people type secrets); returns the decoded length, or -1 on another
 * character, an impossible length, non-zero trailing bits or overflow. */
long base32_decode(const char *s, size_t len, void *out, size_t cap);

/* The key URI of Google Authenticator's format for a base32 secret:
 * otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&
 * digits=6&period=30, issuer and account percent-encoded (RFC 3986
 * unreserved characters kept). Appended to out; 0 or -1 (cap reached). */
int totp_otpauth_url(struct buf *out, const char *issuer, const char *account,
                     const char *secret_b32);

/* The QR code of text (byte mode, error correction level M) as an SVG
 * document: a white square of (modules + 8) units (the quiet zone of 4
 * modules on every side) and one <path> with a 1×1 square per dark
 * module. Appended to out; 0 or -1 (encoding failed or cap reached).
 * *modules (may be NULL) receives the symbol's width in modules. */
int qr_svg(struct buf *out, const char *text, int *modules);

#endif
