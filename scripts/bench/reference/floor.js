// The floor a write route is measured against: what one write costs on this machine, with
// nothing of Konversio's. Each request stores its body with one D1 insert and sends one queue
// message, which a consumer in the same Worker acknowledges (Konversio's writes feed its webhook
// consumer the same way).
let table;

export default {
  async fetch(request, env) {
    table ??= env.DB.exec("create table if not exists writes (id integer primary key, body text not null)");
    await table;
    const body = await request.text();
    await env.DB.prepare("insert into writes (body) values (?)").bind(body).run();
    await env.QUEUE.send({ body });
    return Response.json({ ok: true });
  },
  async queue(batch) {
    batch.ackAll();
  },
};
