// Login: check the password, and on success hand out a session token.
//
// ctx.cpu.hash(text) is cpu-ms of pure computation (a slow, salted password hash);
// ctx.cpu.hash(text, rounds) lets you choose how many rounds (ctx.cpu.rounds is the default).
// There is no I/O here: nothing for async to overlap.
//
// TODO: this handler does its slow work twice. A password hash must be slow (it stops guessing);
// a session token only has to be unique. Make the token cheap and watch every variant speed up.
export async function handle(req, ctx) {
  const digest = ctx.cpu.hash(`${req.user}:${req.password}`);
  if (digest !== ctx.data.stored[req.user]) return { user: req.user, ok: false };
  const token = ctx.cpu.hash(`${digest}:session`);
  return { user: req.user, ok: true, token };
}
