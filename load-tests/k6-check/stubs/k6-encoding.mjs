// Stub of `k6/encoding`: base64 (std, rawstd, url, rawurl) to and from strings.
const nodeEncoding = (enc) => (enc === 'url' || enc === 'rawurl' ? 'base64url' : 'base64');
export default {
  b64decode: (input, enc = 'std', format) => {
    const bytes = Buffer.from(input, nodeEncoding(enc));
    return format === 's'
      ? bytes.toString('utf8')
      : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  },
  b64encode: (input, enc = 'std') => Buffer.from(input).toString(nodeEncoding(enc)),
};
