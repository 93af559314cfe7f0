// The CommonJS declarations (require condition) type the same API.
import jg = require('jwksgate');
const r: jg.VerifyResult = jg.verify('t', '{"keys":[]}', { issuer: 'x' });
export = r.key.thumbprint;
