// Login: check the password, and on success hand out a session token.
//
// Only the password check is slow, on purpose; the token takes one round. Under every variant the
// handler now costs one cpu-ms, and no amount of async changes that: CPU work needs a core, and
// only the parallel pool brings more of them.
export async function handle(req, ctx) {
  const digest = ctx.cpu.hash(`${req.user}:${req.password}`);
  if (digest !== ctx.data.stored[req.user]) return { user: req.user, ok: false };
  const token = ctx.cpu.hash(`${digest}:session`, 1);
  return { user: req.user, ok: true, token };
}
