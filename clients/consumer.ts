/**
 * A program using the TypeScript types generated from the schema (openapi-typescript)
 * with openapi-fetch.
 *
 *     node clients/generated/js/consumer.js http://127.0.0.1:8000
 *
 * It registers a new user, logs in, sets their time zone, then creates, lists,
 * updates, completes and deletes a task, makes, fills, filters, moves and deletes
 * a list, tags, nests and reorders tasks, completes a weekly all-day task with
 * reminders and lists its completions, and lists the (still empty) notifications,
 * checking each answer against what the API documents, and exits 1 at the first
 * that differs. `make typed-clients` generates the types, checks this
 * file with `tsc --noEmit` and runs it against gunicorn.
 */
import createClient, { type Client } from "openapi-fetch";

import type { components, paths } from "./generated/schema.js";

type Task = components["schemas"]["Task"];

const timeZone = "Europe/Paris";

class Mismatch extends Error {}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Mismatch(what);
}

/** The body of an answer that has the expected status. */
function body<T>(result: { data?: T; error?: unknown; response: Response }, status: number): T {
  if (result.response.status !== status || result.data === undefined) {
    throw new Mismatch(
      `expected ${status}, got ${result.response.status}: ${JSON.stringify(result.error)}`,
    );
  }
  return result.data;
}

/** How far the wall clock of `zone` is ahead of UTC at `instant`, in milliseconds. */
function zoneOffset(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((item) => item.type === type)?.value);
  const wallClock = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second"),
  );
  return wallClock - instant;
}

/**
 * When a reminder `minutesBefore` an all-day task due on `day` fires: before the
 * server's default REMINDER_ALL_DAY_TIME, 09:00 of that day in the caller's time zone.
 */
function allDayReminder(day: string, minutesBefore: number): number {
  const nine = Date.parse(`${day}T09:00:00Z`);
  const start = nine - zoneOffset(nine - zoneOffset(nine, timeZone), timeZone);
  return start - minutesBefore * 60_000;
}

/** A task's reminders as [minutes before the due, instant, when it fires (ms)]. */
function shown(task: Task): string {
  const reminders = task.reminders.map((item) => [
    item.before_due_minutes,
    item.at,
    item.fires_at === null ? null : Date.parse(item.fires_at),
  ]);
  return JSON.stringify(reminders);
}

async function run(baseUrl: string): Promise<void> {
  const suffix = crypto.randomUUID().slice(0, 12);
  const email = `client-${suffix}@example.org`;
  const password = crypto.randomUUID();
  const api = createClient<paths>({ baseUrl });

  const registered = body(
    await api.POST("/api/auth/register/", { body: { email, password, name: "Typed client" } }),
    201,
  );
  expect(registered.user.email === email, "the account has the email registered");
  expect(registered.user.name === "Typed client", "the account has the name registered");

  const loggedIn = body(await api.POST("/api/auth/login/", { body: { email, password } }), 200);
  expect(loggedIn.user.id === registered.user.id, "login signs in the registered user");
  const client = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${loggedIn.access}` },
  });
  const me = body(await client.PATCH("/api/auth/me/", { body: { time_zone: timeZone } }), 200);
  expect(me.time_zone === timeZone, `the time zone set: ${me.time_zone}`);

  const due = "2030-01-01T18:00:00Z";
  const created = await client.POST("/api/tasks/", {
    body: { title: "Buy milk", priority: "high", due_date: due },
  });
  const task: Task = body(created, 201);
  expect(task.title === "Buy milk" && task.priority === "high", "the task as sent");
  expect(task.due_date === due && task.description === null, "the due date, no description");
  expect(!task.completed && task.completed_at === null, "a new task is pending");
  expect(task.user_id === loggedIn.user.id, "the task is the caller's");
  const [inbox] = body(await client.GET("/api/lists/"), 200);
  expect(inbox !== undefined && inbox.is_inbox, "every user has an Inbox");
  expect(task.list_id === inbox?.id, "a task goes to the Inbox by default");
  const location = created.response.headers.get("Location") ?? "";
  expect(location.endsWith(`/api/tasks/${task.id}/`), "its Location");
  const etag = created.response.headers.get("ETag") ?? "";
  const path = { id: task.id };

  const listed = await client.GET("/api/tasks/", {
    params: { query: { status: "pending", sort: "-due_date" } },
  });
  const tasks = body(listed, 200);
  expect(tasks.length === 1 && tasks[0]?.id === task.id, "the list holds the new task alone");
  expect(listed.response.headers.get("X-Total-Count") === "1", "X-Total-Count counts it");

  const updated = body(
    await client.PATCH("/api/tasks/{id}/", {
      params: { path, header: { "If-Match": etag } },
      body: { title: "Buy oat milk", description: "Two litres", priority: null },
    }),
    200,
  );
  expect(updated.title === "Buy oat milk", "the new title");
  expect(updated.description === "Two litres" && updated.priority === null, "the other changes");
  expect(updated.due_date === due, "what the update leaves out is kept");

  const completed = body(await client.PATCH("/api/tasks/{id}/complete/", { params: { path } }), 200);
  expect(completed.completed && completed.completed_at !== null, "toggled to completed");

  const deleted = await client.DELETE("/api/tasks/{id}/", { params: { path } });
  expect(deleted.response.status === 204, `deleted: ${deleted.response.status}`);
  const gone = await client.GET("/api/tasks/{id}/", { params: { path } });
  expect(gone.error?.status === 404, `a deleted task is a 404 problem, not ${gone.response.status}`);

  const errands = body(await client.POST("/api/lists/", { body: { name: "Errands" } }), 201);
  expect(errands.color === null && !errands.is_inbox, "a new list, no color");
  const letter = body(
    await client.POST("/api/tasks/", { body: { title: "Post the letter", list_id: errands.id } }),
    201,
  );
  expect(letter.list_id === errands.id, "a task made in the list");
  const inList = body(
    await client.GET("/api/tasks/", { params: { query: { list: errands.id } } }),
    200,
  );
  expect(inList.length === 1 && inList[0]?.id === letter.id, "the list's tasks, filtered");
  const moved = body(
    await client.POST("/api/lists/{id}/move/", {
      params: { path: { id: errands.id } },
      body: { after: null },
    }),
    200,
  );
  const order = body(await client.GET("/api/lists/"), 200).map((item) => item.id);
  expect(order[0] === moved.id && order[1] === inbox?.id, "the moved list comes first");
  expect(moved.task_count === 1 && moved.pending_count === 1, "its counts");
  const dropped = await client.DELETE("/api/lists/{id}/", { params: { path: { id: errands.id } } });
  expect(dropped.response.status === 204, `list deleted: ${dropped.response.status}`);
  const letterGone = await client.GET("/api/tasks/{id}/", { params: { path: { id: letter.id } } });
  expect(letterGone.response.status === 404, "its tasks went with it");

  const trip = body(
    await client.POST("/api/tasks/", { body: { title: "Trip", tags: ["travel", "Family"] } }),
    201,
  );
  expect(trip.tags.join() === "Family,travel", "tags sorted whatever the case");
  const tickets = body(
    await client.POST("/api/tasks/", { body: { title: "Tickets", parent_id: trip.id } }),
    201,
  );
  const hotel = body(
    await client.POST("/api/tasks/", { body: { title: "Hotel", parent_id: trip.id } }),
    201,
  );
  expect(tickets.parent_id === trip.id, "a subtask of the trip");
  body(
    await client.POST("/api/tasks/{id}/move/", {
      params: { path: { id: hotel.id } },
      body: { after: null },
    }),
    200,
  );
  const nested = body(
    await client.GET("/api/tasks/", {
      params: { query: { parent: trip.id, sort: "position" } },
    }),
    200,
  ).map((item) => item.id);
  expect(nested.join() === [hotel.id, tickets.id].join(), "the moved subtask first");
  const shownTrip = body(await client.GET("/api/tasks/{id}/", { params: { path: { id: trip.id } } }), 200);
  expect(shownTrip.subtask_count === 2, "its subtask count");
  const tagged = body(
    await client.GET("/api/tasks/", { params: { query: { tags: "TRAVEL" } } }),
    200,
  );
  expect(tagged.length === 1 && tagged[0]?.id === trip.id, "filtered by tag, any case");
  const family = body(await client.GET("/api/tags/"), 200).find((tag) => tag.name === "Family");
  expect(family !== undefined && family.task_count === 1, "a tag counts its tasks");
  const renamed = body(
    await client.PATCH("/api/tags/{id}/", {
      params: { path: { id: family?.id ?? "" } },
      body: { name: "Relatives" },
    }),
    200,
  );
  expect(renamed.name === "Relatives", "a renamed tag");

  await checkRecurring(client);
  await checkNotifications(client);
}

/** A weekly all-day task with reminders, completed once. */
async function checkRecurring(client: Client<paths>): Promise<void> {
  const monday = "2030-01-07";
  const at = "2030-01-06T20:00:00Z";
  const weekly = body(
    await client.POST("/api/tasks/", {
      body: {
        title: "Team meeting",
        due_on: monday,
        recurrence: "FREQ=WEEKLY;BYDAY=MO",
        reminders: [{ before_due_minutes: 30 }, { at }],
      },
    }),
    201,
  );
  expect(weekly.due_on === monday && weekly.due_date === null, "an all-day task");
  expect(weekly.recurrence === "FREQ=WEEKLY;BYDAY=MO", "its recurrence");
  const expected = (day: string): string =>
    JSON.stringify([
      [30, null, allDayReminder(day, 30)],
      [null, at, Date.parse(at)],
    ]);
  expect(
    shown(weekly) === expected(monday),
    `the reminders in order, each with when it fires: ${shown(weekly)}`,
  );

  const path = { id: weekly.id };
  const moved = body(await client.PATCH("/api/tasks/{id}/complete/", { params: { path } }), 200);
  const nextMonday = "2030-01-14";
  expect(moved.due_on === nextMonday, `completing moves it to the next Monday: ${moved.due_on}`);
  expect(!moved.completed && moved.completed_at === null, "and it is pending again");
  expect(
    shown(moved) === expected(nextMonday),
    `the reminder before the due follows it: ${shown(moved)}`,
  );

  const listed = await client.GET("/api/tasks/{id}/completions/", { params: { path } });
  const completions = body(listed, 200).map((item) => [item.due_on, item.due_date]);
  expect(
    JSON.stringify(completions) === JSON.stringify([[monday, null]]),
    `one completion, of the old day: ${JSON.stringify(completions)}`,
  );
  expect(listed.response.headers.get("X-Total-Count") === "1", "X-Total-Count counts it");
}

/** Only the worker delivers reminders, and none is due: no notifications. */
async function checkNotifications(client: Client<paths>): Promise<void> {
  for (const listed of [
    await client.GET("/api/notifications/"),
    await client.GET("/api/notifications/", { params: { query: { read: false } } }),
  ]) {
    expect(body(listed, 200).length === 0, "no notifications, read or unread");
    expect(listed.response.headers.get("X-Total-Count") === "0", "X-Total-Count says none");
  }
  const path = { id: crypto.randomUUID() };
  for (const answer of [
    await client.GET("/api/notifications/{id}/", { params: { path } }),
    await client.POST("/api/notifications/{id}/read/", { params: { path } }),
  ]) {
    expect(
      answer.error?.status === 404,
      `an unknown notification is a 404 problem, not ${answer.response.status}`,
    );
  }
}

const baseUrl = process.argv[2];
if (baseUrl === undefined) {
  console.error("usage: node consumer.js <base URL>");
  process.exit(2);
}
try {
  await run(baseUrl);
  console.log(
    "TypeScript client: register, log in, time zone, create, list, update, complete, delete, " +
      "lists, tags, subtasks, order, all-day recurrence, reminders, completions, " +
      "notifications: ok",
  );
} catch (error) {
  if (!(error instanceof Mismatch)) throw error;
  console.error(`TypeScript client: ${error.message}`);
  process.exit(1);
}
