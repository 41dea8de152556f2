import type { AppRouteHandler } from "../openapi";
import { contactNote } from "../../serializers/contact-note";
import * as notes from "../../services/contact-notes";
import type * as routes from "./contact-notes.routes";

const noteJson = (r: notes.NoteWithAuthor) => contactNote(r.note, r.author);

export const list: AppRouteHandler<typeof routes, "list"> = async (c) => {
  const { contact_id } = c.req.valid("param");
  return c.json((await notes.listNotes(c.var.ctx, contact_id)).map(noteJson), 200);
};

export const create: AppRouteHandler<typeof routes, "create"> = async (c) => {
  const { contact_id } = c.req.valid("param");
  const { content } = c.req.valid("json");
  return c.json(noteJson(await notes.createNote(c.var.ctx, contact_id, content)), 200);
};

export const show: AppRouteHandler<typeof routes, "show"> = async (c) => {
  const { contact_id, id } = c.req.valid("param");
  return c.json(noteJson(await notes.showNote(c.var.ctx, contact_id, id)), 200);
};

export const update: AppRouteHandler<typeof routes, "update"> = async (c) => {
  const { contact_id, id } = c.req.valid("param");
  const { content } = c.req.valid("json");
  return c.json(noteJson(await notes.updateNote(c.var.ctx, contact_id, id, content)), 200);
};

export const remove: AppRouteHandler<typeof routes, "remove"> = async (c) => {
  const { contact_id, id } = c.req.valid("param");
  await notes.deleteNote(c.var.ctx, contact_id, id);
  return c.json({ message: "Note deleted" }, 200);
};
