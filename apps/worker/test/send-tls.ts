/**
 * A self-signed certificate for the sender's TLS tests, valid for `hooks.test` and 127.0.0.1 until
 * 2126. Test-only: the key is public, so nothing may ever trust this certificate outside a test
 * that passes it as its own `ca`. Made with
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
 *  -subj /CN=hooks.test -addext subjectAltName=DNS:hooks.test,IP:127.0.0.1`.
 */
export const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1kIAMz8V/y20CiCD
aPBLDa386GLQpuQhX683iO/k7yuhRANCAASOPM82TFp54xSmlBzvF1YUy2oIx3uY
azE5tv7iex7XtEB5YZxC7RnF2SZDjwm8xGzAgNuL+S9PMy0yxUjW54Jz
-----END PRIVATE KEY-----
`;

export const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBnjCCAUSgAwIBAgIUfaw8OzfpG4Du4v+95AI6uieFz1QwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKaG9va3MudGVzdDAgFw0yNjEyMDExMDUyMjJaGA8yMTI2MTEw
NzEwNTIyMlowFTETMBEGA1UEAwwKaG9va3MudGVzdDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABI48zzZMWnnjFKaUHO8XVhTLagjHe5hrMTm2/uJ7Hte0QHlhnELt
GcXZJkOPCbzEbMCA24v5L08zLTLFSNbngnOjcDBuMB0GA1UdDgQWBBS/hUjWcTSa
xCKppcGFfJ1z82Q8eDAfBgNVHSMEGDAWgBS/hUjWcTSaxCKppcGFfJ1z82Q8eDAP
BgNVHRMBAf8EBTADAQH/MBsGA1UdEQQUMBKCCmhvb2tzLnRlc3SHBH8AAAEwCgYI
KoZIzj0EAwIDSAAwRQIgPwaz9ondRx4hbglsr7qoyu5kyGdKEuET4105/wv9arQC
IQDccNMnAdJrJpfhFzUT7Es6nbzUZXfvDUjeL4RwO1sxIg==
-----END CERTIFICATE-----
`;
