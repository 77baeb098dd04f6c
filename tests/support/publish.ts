/** What POST /api/results answers: the new result's id and the token that edits or withdraws it. */
export interface PublishedResult {
  id: string;
  token: string;
}

/** Publishes `doc` through the running API at `base`, as a test's set-up; anything but 201 fails the test. */
export async function publish(base: string, doc: unknown): Promise<PublishedResult> {
  const res = await fetch(base + '/api/results', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(doc),
  });
  if (res.status !== 201) throw new Error(`publishing the test document: ${res.status} ${await res.text()}`);
  return (await res.json()) as PublishedResult;
}
