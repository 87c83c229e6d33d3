// A round trip through the live bookstore with a client generated from its OpenAPI
// document: every request, parameter, body and response below is typed by
// `schema.d.ts` (openapi-typescript) through openapi-fetch, and every step asserts what
// the service answered. Any failed assertion exits non-zero.
//
// Environment:
//   BOOKSTORE_URL           base URL of the running bookstore, e.g. http://127.0.0.1:3000
//   BOOKSTORE_TOKEN         bearer token with the roles `editor` and `admin`
//   BOOKSTORE_EDITOR_TOKEN  bearer token with the role `editor` only (for the `403`)

import assert from "node:assert/strict";
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Author = components["schemas"]["Author"];
type Book = components["schemas"]["Book"];
type BookCreate = components["schemas"]["BookCreate"];
type Problem = components["schemas"]["Problem"];
type AuthorCreate = components["schemas"]["AuthorCreate"];
type AuthorUpdate = components["schemas"]["AuthorUpdate"];
type BookUpdate = components["schemas"]["BookUpdate"];
// openapi-fetch infers its init argument, so TypeScript does not report an excess
// property in a literal passed to it (openapi-ts/openapi-typescript#2329): every body and
// query below says `satisfies` its type from the document, which restores the check.
type BooksQuery = NonNullable<paths["/books"]["get"]["parameters"]["query"]>;
type BookQuery = NonNullable<paths["/books/{id}"]["get"]["parameters"]["query"]>;
type AuthorQuery = NonNullable<paths["/authors/{id}"]["get"]["parameters"]["query"]>;
type StatsQuery = NonNullable<paths["/authors/{id}/stats"]["get"]["parameters"]["query"]>;

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`set ${name}`);
  }
  return value;
}

const baseUrl = env("BOOKSTORE_URL");
let requests = 0;

function client(token?: string): Client<paths> {
  const created = createClient<paths>({
    baseUrl,
    // The document declares every array query parameter (`sort`, `include`, `*__in`)
    // with `style: form, explode: false`: comma-separated values.
    querySerializer: { array: { style: "form", explode: false } },
    ...(token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } }),
  });
  created.use({
    onRequest() {
      requests += 1;
      return undefined;
    },
  });
  return created;
}

const admin = client(env("BOOKSTORE_TOKEN"));
const editor = client(env("BOOKSTORE_EDITOR_TOKEN"));
const anonymous = client();

// --- helpers -------------------------------------------------------------------------

interface Outcome<T> {
  data?: T;
  error?: Problem;
  response: Response;
}

/** The body of a success with `status`; anything else fails with what came back. */
async function expectOk<T>(call: Promise<Outcome<T>>, status: number, what: string): Promise<T> {
  const { data, error, response } = await call;
  assert.equal(
    response.status,
    status,
    `${what}: expected ${status}, got ${response.status} ${JSON.stringify(error)}`,
  );
  assert.equal(error, undefined, `${what}: unexpected error body`);
  assert.ok(data !== undefined, `${what}: no body`);
  return data;
}

/** A `204` without body. */
async function expectNoContent<T>(call: Promise<Outcome<T>>, what: string): Promise<void> {
  const { error, response } = await call;
  assert.equal(
    response.status,
    204,
    `${what}: expected 204, got ${response.status} ${JSON.stringify(error)}`,
  );
}

/** An RFC 9457 problem with `status` and `code`, as the document's `Problem` types it. */
async function expectProblem<T>(
  call: Promise<Outcome<T>>,
  status: number,
  code: string,
  what: string,
): Promise<Problem> {
  const { data, error, response } = await call;
  assert.equal(
    response.status,
    status,
    `${what}: expected ${status}, got ${response.status} ${JSON.stringify(data ?? error)}`,
  );
  assert.equal(data, undefined, `${what}: a problem has no success body`);
  assert.equal(response.headers.get("Content-Type"), "application/problem+json", what);
  assert.ok(error !== undefined && typeof error === "object", `${what}: problem body missing`);
  assert.equal(error.type, "about:blank", what);
  assert.equal(error.status, status, what);
  assert.equal(error.code, code, `${what}: ${JSON.stringify(error)}`);
  assert.equal(typeof error.title, "string", what);
  assert.ok(error.detail.length > 0, `${what}: empty detail`);
  return error;
}

/** The failing fields of a problem, as `pointer -> code`. */
function fieldErrors(problem: Problem): Map<string, string> {
  const errors = problem.errors ?? [];
  for (const e of errors) {
    assert.equal(typeof e.detail, "string");
    assert.ok(e.detail.length > 0, `field error without detail at ${e.pointer}`);
  }
  return new Map(errors.map((e) => [e.pointer, e.code]));
}

/** The `rel="next"` target of a `Link` header, if any. */
function nextPage(response: Response): URL | undefined {
  const link = response.headers.get("Link");
  if (link === null) {
    return undefined;
  }
  const match = /<([^>]+)>\s*;\s*rel="next"/.exec(link);
  const target = match?.[1];
  assert.ok(target !== undefined, `Link without rel="next": ${link}`);
  return new URL(target, baseUrl);
}

function etagOf(response: Response, what: string): string {
  const etag = response.headers.get("ETag");
  assert.ok(etag !== null, `${what}: no ETag`);
  return etag;
}

const steps: string[] = [];
async function step(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    console.error(`FAIL  ${name}`);
    throw error;
  }
  steps.push(name);
  console.log(`ok    ${name}`);
}

// --- the round trip ------------------------------------------------------------------

const run = Date.now().toString(36);
const tag = `rt${run}`;
// ISBN-13 is 13 digits: 979, 9 digits of the clock, one digit per book.
const isbnStem = `979${String(Date.now() % 1_000_000_000).padStart(9, "0")}`;
const isbn = (n: number): string => `${isbnStem}${n}`;
const missingId = 2_000_000_000;

let ada: Author | undefined;
let adaEtag = "";
let other: Author | undefined;
const books: Book[] = [];

function adaId(): number {
  assert.ok(ada !== undefined, "author not created");
  return ada.id;
}

function book(index: number): Book {
  const found = books[index];
  assert.ok(found !== undefined, `book ${index} not created`);
  return found;
}

await step("create author (201, Location, ETag = version)", async () => {
  const call = anonymous.POST("/authors", {
    body: { name: `Ada ${tag}`, email: `ada.${tag}@example.com`, bio: "Wrote the first program." } satisfies AuthorCreate,
  });
  const created = await expectOk(call, 201, "POST /authors");
  const { response } = await call;
  assert.equal(created.name, `Ada ${tag}`);
  assert.equal(created.email, `ada.${tag}@example.com`);
  assert.equal(created.bio, "Wrote the first program.");
  assert.equal(created.version, 1);
  assert.ok(Number.isInteger(created.id) && created.id > 0);
  assert.ok(!Number.isNaN(Date.parse(created.created_at)));
  assert.equal(response.headers.get("Location"), `/authors/${created.id}`);
  adaEtag = etagOf(response, "POST /authors");
  assert.equal(adaEtag, `"${created.version}"`);
  ada = created;

  other = await expectOk(
    anonymous.POST("/authors", { body: { name: `Other ${tag}`, email: `other.${tag}@example.com` } satisfies AuthorCreate }),
    201,
    "POST /authors (second)",
  );
  assert.equal(other.bio, null, "an absent nullable field is stored as null");
});

await step("author: 409 on a duplicate email, errors name /email", async () => {
  const problem = await expectProblem(
    anonymous.POST("/authors", { body: { name: "Copy", email: `ada.${tag}@example.com` } satisfies AuthorCreate }),
    409,
    "conflict",
    "POST /authors duplicate",
  );
  assert.equal(fieldErrors(problem).get("/email"), "unique");
});

await step("author: 422 names each invalid field", async () => {
  const problem = await expectProblem(
    anonymous.POST("/authors", { body: { name: "   ", email: "not an address" } satisfies AuthorCreate }),
    422,
    "validation_failed",
    "POST /authors invalid",
  );
  const errors = fieldErrors(problem);
  assert.equal(errors.get("/name"), "blank", JSON.stringify(problem));
  assert.equal(errors.get("/email"), "email", JSON.stringify(problem));
});

await step("author: If-None-Match answers 304, stale If-Match 412, current If-Match 200", async () => {
  const id = adaId();
  const fresh = await anonymous.GET("/authors/{id}", {
    params: { path: { id }, header: { "If-None-Match": adaEtag } },
  });
  assert.equal(fresh.response.status, 304, "GET /authors/{id} with the current ETag");

  await expectProblem(
    anonymous.PATCH("/authors/{id}", {
      params: { path: { id }, header: { "If-Match": '"999"' } },
      body: { bio: "stale" } satisfies AuthorUpdate,
    }),
    412,
    "precondition_failed",
    "PATCH /authors/{id} stale If-Match",
  );

  const call = anonymous.PATCH("/authors/{id}", {
    params: { path: { id }, header: { "If-Match": adaEtag } },
    body: { bio: null } satisfies AuthorUpdate,
  });
  const updated = await expectOk(call, 200, "PATCH /authors/{id}");
  assert.equal(updated.bio, null, "null clears a nullable field");
  assert.equal(updated.name, `Ada ${tag}`, "absent fields stay unchanged");
  assert.equal(updated.version, 2);
  const { response } = await call;
  adaEtag = etagOf(response, "PATCH /authors/{id}");
  assert.equal(adaEtag, '"2"');

  const again = anonymous.GET("/authors/{id}", { params: { path: { id } } });
  const read = await expectOk(again, 200, "GET /authors/{id}");
  assert.equal(read.version, 2);
  assert.equal(etagOf((await again).response, "GET /authors/{id}"), adaEtag);
});

await step("create books (201, defaults, added_by from the token)", async () => {
  assert.ok(other !== undefined);
  const ids = { ada: adaId(), other: other.id };
  const drafts: BookCreate[] = [
    { title: `Dune ${tag}`, isbn: isbn(1), price_cents: 1500, author_id: ids.ada, format: "hardcover" },
    { title: `Emma ${tag}`, isbn: isbn(2), price_cents: 900, author_id: ids.ada, summary: "A matchmaker." },
    { title: `Ulysses ${tag}`, isbn: isbn(3), price_cents: 2500, author_id: ids.ada, format: "ebook" },
    { title: `Walden ${tag}`, isbn: isbn(4), price_cents: 1200, author_id: ids.other },
  ];
  for (const draft of drafts) {
    const call = admin.POST("/books", { body: draft });
    const created = await expectOk(call, 201, `POST /books ${draft.title}`);
    assert.equal(created.title, draft.title);
    assert.equal(created.isbn, draft.isbn);
    assert.equal(created.price_cents, draft.price_cents);
    assert.equal(created.author_id, draft.author_id);
    assert.equal(created.format, draft.format ?? "paperback");
    assert.equal(created.published, false);
    assert.equal(created.summary, draft.summary ?? null);
    assert.equal(created.added_by, "ts-client");
    assert.equal((await call).response.headers.get("Location"), `/books/${created.id}`);
    books.push(created);
  }
});

await step("create book without a token: 401", async () => {
  await expectProblem(
    anonymous.POST("/books", {
      body: { title: "Nobody's", isbn: isbn(9), price_cents: 1, author_id: adaId() } satisfies BookCreate,
    }),
    401,
    "unauthenticated",
    "POST /books anonymous",
  );
});

await step("get book, and with include=author", async () => {
  const dune = book(0);
  const got = await expectOk(
    anonymous.GET("/books/{id}", { params: { path: { id: dune.id } } }),
    200,
    "GET /books/{id}",
  );
  assert.deepEqual(got, dune);
  assert.equal(got.author, undefined, "no author without include");

  const withAuthor = await expectOk(
    anonymous.GET("/books/{id}", { params: { path: { id: dune.id }, query: { include: ["author"] } satisfies BookQuery } }),
    200,
    "GET /books/{id}?include=author",
  );
  assert.ok(withAuthor.author !== undefined, "include=author embeds the author");
  assert.equal(withAuthor.author.id, adaId());
  assert.equal(withAuthor.author.email, `ada.${tag}@example.com`);
  assert.equal(withAuthor.author.version, 2);
});

await step("list: filters filter", async () => {
  const all = await expectOk(
    anonymous.GET("/books", { params: { query: { title__contains: tag, count: true } satisfies BooksQuery } }),
    200,
    "GET /books?title__contains",
  );
  assert.equal(all.total, 4);
  assert.equal(all.items.length, 4);

  const byAuthor = await expectOk(
    anonymous.GET("/books", {
      params: { query: { title__contains: tag.toUpperCase(), author_id: adaId(), count: true } satisfies BooksQuery },
    }),
    200,
    "GET /books?author_id",
  );
  assert.equal(byAuthor.total, 3, "author_id excludes the other author's book; contains ignores case");
  assert.ok(byAuthor.items.every((b) => b.author_id === adaId() && b.title.includes(tag)));

  const cheap = await expectOk(
    anonymous.GET("/books", { params: { query: { title__contains: tag, price_cents__lt: 1200 } satisfies BooksQuery } }),
    200,
    "GET /books?price_cents__lt",
  );
  assert.deepEqual(cheap.items.map((b) => b.title), [`Emma ${tag}`]);

  const bound = await expectOk(
    anonymous.GET("/books", {
      params: { query: { title__contains: tag, format__in: ["hardcover", "ebook"], sort: ["title"] } satisfies BooksQuery },
    }),
    200,
    "GET /books?format__in",
  );
  assert.deepEqual(bound.items.map((b) => b.title), [`Dune ${tag}`, `Ulysses ${tag}`]);

  const picked = await expectOk(
    anonymous.GET("/books", { params: { query: { id__in: [book(1).id, book(3).id], sort: ["title"] } satisfies BooksQuery } }),
    200,
    "GET /books?id__in",
  );
  assert.deepEqual(picked.items.map((b) => b.id), [book(1).id, book(3).id]);

  const blurbless = await expectOk(
    anonymous.GET("/books", { params: { query: { title__contains: tag, summary__is_null: false } satisfies BooksQuery } }),
    200,
    "GET /books?summary__is_null",
  );
  assert.deepEqual(blurbless.items.map((b) => b.summary), ["A matchmaker."]);
});

await step("list: sort=-price_cents, limit=2, next page through Link", async () => {
  const query: BooksQuery = { title__contains: tag, author_id: adaId(), sort: ["-price_cents"], limit: 2 };
  const call = anonymous.GET("/books", { params: { query: { ...query, include: ["author"] } satisfies BooksQuery } });
  const first = await expectOk(call, 200, "GET /books page 1");
  assert.equal(first.limit, 2);
  assert.equal(first.offset, 0);
  assert.equal(first.total, undefined, "total only with count=true");
  assert.deepEqual(first.items.map((b) => b.price_cents), [2500, 1500]);
  for (const item of first.items) {
    assert.equal(item.author?.id, adaId(), "include=author on every item");
  }

  const next = nextPage((await call).response);
  assert.ok(next !== undefined, "page 1 of 2 links the next page");
  assert.equal(next.pathname, "/books");
  assert.equal(next.searchParams.get("offset"), "2");
  assert.equal(next.searchParams.get("limit"), "2");
  assert.equal(next.searchParams.get("sort"), "-price_cents");
  assert.equal(next.searchParams.get("title__contains"), tag);

  const secondCall = anonymous.GET("/books", { params: { query: { ...query, offset: Number(next.searchParams.get("offset")) } satisfies BooksQuery } });
  const second = await expectOk(secondCall, 200, "GET /books page 2");
  assert.equal(second.offset, 2);
  assert.deepEqual(second.items.map((b) => b.title), [`Emma ${tag}`]);
  assert.equal(nextPage((await secondCall).response), undefined, "the last page has no next link");

  const ascending = await expectOk(
    anonymous.GET("/books", { params: { query: { title__contains: tag, sort: ["price_cents"] } satisfies BooksQuery } }),
    200,
    "GET /books?sort=price_cents",
  );
  const prices = ascending.items.map((b) => b.price_cents);
  assert.deepEqual(prices, [...prices].sort((a, b) => a - b));
  assert.deepEqual(prices, [900, 1200, 1500, 2500]);
});

await step("list: 400 for a sort key the document does not offer", async () => {
  // The typed client cannot even express `sort=isbn`; the raw request shows the
  // server agrees with the document's enum.
  const response = await fetch(new URL(`/books?sort=isbn`, baseUrl));
  requests += 1;
  assert.equal(response.status, 400);
  assert.equal(response.headers.get("Content-Type"), "application/problem+json");
});

await step("update book (PATCH merges; null clears)", async () => {
  const emma = book(1);
  const updated = await expectOk(
    admin.PATCH("/books/{id}", {
      params: { path: { id: emma.id } },
      body: { price_cents: 1999, summary: null, format: "hardcover" } satisfies BookUpdate,
    }),
    200,
    "PATCH /books/{id}",
  );
  assert.equal(updated.price_cents, 1999);
  assert.equal(updated.summary, null);
  assert.equal(updated.format, "hardcover");
  assert.equal(updated.title, emma.title, "absent fields stay unchanged");
  assert.equal(updated.published, false, "absent published stays unchanged");
  assert.ok(Date.parse(updated.updated_at) >= Date.parse(emma.updated_at));

  const read = await expectOk(
    anonymous.GET("/books/{id}", { params: { path: { id: emma.id } } }),
    200,
    "GET /books/{id} after PATCH",
  );
  assert.deepEqual(read, updated);
  books[1] = updated;
});

await step("book: 422 for a bad ISBN, a negative price and an empty title", async () => {
  const problem = await expectProblem(
    admin.POST("/books", {
      body: { title: "", isbn: "978-3-16-148410-0", price_cents: -1, author_id: adaId() } satisfies BookCreate,
    }),
    422,
    "validation_failed",
    "POST /books invalid",
  );
  const errors = fieldErrors(problem);
  assert.equal(errors.get("/isbn"), "pattern", JSON.stringify(problem));
  assert.equal(errors.get("/price_cents"), "range", JSON.stringify(problem));
  assert.equal(errors.get("/title"), "length", JSON.stringify(problem));

  const patch = await expectProblem(
    admin.PATCH("/books/{id}", { params: { path: { id: book(0).id } }, body: { isbn: "12" } satisfies BookUpdate }),
    422,
    "validation_failed",
    "PATCH /books/{id} invalid",
  );
  assert.equal(fieldErrors(patch).get("/isbn"), "pattern");
});

await step("book: 409 for a duplicate ISBN on create and on update", async () => {
  const created = await expectProblem(
    admin.POST("/books", {
      body: { title: `Copy ${tag}`, isbn: book(0).isbn, price_cents: 1, author_id: adaId() } satisfies BookCreate,
    }),
    409,
    "conflict",
    "POST /books duplicate isbn",
  );
  assert.equal(fieldErrors(created).get("/isbn"), "unique");

  const updated = await expectProblem(
    admin.PATCH("/books/{id}", { params: { path: { id: book(1).id } }, body: { isbn: book(0).isbn } satisfies BookUpdate }),
    409,
    "conflict",
    "PATCH /books/{id} duplicate isbn",
  );
  assert.equal(fieldErrors(updated).get("/isbn"), "unique");
});

await step("404 for a missing id (get, update, delete, author)", async () => {
  await expectProblem(
    anonymous.GET("/books/{id}", { params: { path: { id: missingId } } }),
    404,
    "not_found",
    "GET /books/{id} missing",
  );
  await expectProblem(
    admin.PATCH("/books/{id}", { params: { path: { id: missingId } }, body: { price_cents: 1 } satisfies BookUpdate }),
    404,
    "not_found",
    "PATCH /books/{id} missing",
  );
  await expectProblem(
    admin.DELETE("/books/{id}", { params: { path: { id: missingId } } }),
    404,
    "not_found",
    "DELETE /books/{id} missing",
  );
  await expectProblem(
    anonymous.GET("/authors/{id}", { params: { path: { id: missingId } } }),
    404,
    "not_found",
    "GET /authors/{id} missing",
  );
});

await step("publish; a published book keeps its ISBN and cannot be deleted (409)", async () => {
  const dune = book(0);
  const published = await expectOk(
    editor.POST("/books/{id}/publish", { params: { path: { id: dune.id } } }),
    200,
    "POST /books/{id}/publish",
  );
  assert.equal(published.published, true);
  await expectProblem(
    editor.POST("/books/{id}/publish", { params: { path: { id: dune.id } } }),
    409,
    "already_published",
    "POST /books/{id}/publish again",
  );
  await expectProblem(
    admin.PATCH("/books/{id}", { params: { path: { id: dune.id } }, body: { isbn: isbn(8) } satisfies BookUpdate }),
    409,
    "isbn_frozen",
    "PATCH /books/{id} isbn of a published book",
  );
  await expectProblem(
    admin.DELETE("/books/{id}", { params: { path: { id: dune.id } } }),
    409,
    "published",
    "DELETE /books/{id} published",
  );
});

await step("get author with include=books", async () => {
  const withBooks = await expectOk(
    anonymous.GET("/authors/{id}", {
      params: { path: { id: adaId() }, query: { include: ["books"] } satisfies AuthorQuery },
    }),
    200,
    "GET /authors/{id}?include=books",
  );
  assert.ok(withBooks.books !== undefined, "include=books embeds the books");
  assert.deepEqual(
    withBooks.books.map((b) => b.id).sort((a, b) => a - b),
    [book(0).id, book(1).id, book(2).id].sort((a, b) => a - b),
  );
  assert.ok(withBooks.books.every((b) => b.author_id === adaId()));
});

await step("author stats", async () => {
  const stats = await expectOk(
    anonymous.GET("/authors/{id}/stats", { params: { path: { id: adaId() } } }),
    200,
    "GET /authors/{id}/stats",
  );
  assert.equal(stats.author_id, adaId());
  assert.equal(stats.books, 3);
  assert.equal(stats.published, 1);
  assert.equal(stats.average_price_cents, (1500 + 1999 + 2500) / 3);

  const none = await expectOk(
    anonymous.GET("/authors/{id}/stats", { params: { path: { id: adaId() }, query: { format: "paperback" } satisfies StatsQuery } }),
    200,
    "GET /authors/{id}/stats?format=paperback",
  );
  assert.equal(none.books, 0);
  assert.equal(none.average_price_cents, null, "null without books");
});

await step("delete book: 401 without token, 403 without role admin, 204 as admin, then 404", async () => {
  const ulysses = book(2);
  await expectProblem(
    anonymous.DELETE("/books/{id}", { params: { path: { id: ulysses.id } } }),
    401,
    "unauthenticated",
    "DELETE /books/{id} anonymous",
  );
  const forbidden = await expectProblem(
    editor.DELETE("/books/{id}", { params: { path: { id: ulysses.id } } }),
    403,
    "forbidden",
    "DELETE /books/{id} as editor",
  );
  assert.match(forbidden.detail, /admin/);
  await expectNoContent(
    admin.DELETE("/books/{id}", { params: { path: { id: ulysses.id } } }),
    "DELETE /books/{id}",
  );
  await expectProblem(
    anonymous.GET("/books/{id}", { params: { path: { id: ulysses.id } } }),
    404,
    "not_found",
    "GET /books/{id} after DELETE",
  );
  await expectProblem(
    admin.DELETE("/books/{id}", { params: { path: { id: ulysses.id } } }),
    404,
    "not_found",
    "DELETE /books/{id} twice",
  );
});

await step("delete author: 409 while books refer to it, 204 once they are gone", async () => {
  assert.ok(other !== undefined);
  await expectProblem(
    admin.DELETE("/authors/{id}", { params: { path: { id: other.id } } }),
    409,
    "conflict",
    "DELETE /authors/{id} with books",
  );
  await expectNoContent(
    admin.DELETE("/books/{id}", { params: { path: { id: book(3).id } } }),
    "DELETE /books/{id} (Walden)",
  );
  await expectNoContent(
    admin.DELETE("/authors/{id}", { params: { path: { id: other.id }, header: { "If-Match": '"1"' } } }),
    "DELETE /authors/{id}",
  );
  await expectProblem(
    anonymous.GET("/authors/{id}", { params: { path: { id: other.id } } }),
    404,
    "not_found",
    "GET /authors/{id} after DELETE",
  );
});

console.log(`\nround trip passed: ${steps.length} steps, ${requests} requests against ${baseUrl}`);
