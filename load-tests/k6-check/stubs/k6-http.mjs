// Stub of `k6/http`: a request in the init context is an error in k6; here every request is.
const refuse = (method) => () => {
  throw new Error(`k6 check: http.${method} called while loading the script`);
};
const http = {
  get: refuse('get'),
  post: refuse('post'),
  put: refuse('put'),
  patch: refuse('patch'),
  del: refuse('del'),
  request: refuse('request'),
  batch: refuse('batch'),
  expectedStatuses: (...codes) => ({ expectedStatuses: codes }),
};
export default http;
