// narrowgate serve, home page: a refresh button POSTs /api/theses/ID/refresh, polls the
// job it gets back once a second, and reloads the page when the new run is recorded.
"use strict";

async function refreshThesis(button) {
  const status = button.nextElementSibling;
  button.disabled = true;
  status.textContent = button.dataset.running;
  try {
    const started = await fetch(`/api/theses/${button.dataset.refresh}/refresh`,
                                {method: "POST", credentials: "same-origin"});
    const body = await started.json();
    if (!started.ok) throw new Error(body.error);
    let job = body.job;
    while (job.status === "queued" || job.status === "running") {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const polled = await fetch(started.headers.get("Location"), {credentials: "same-origin"});
      job = (await polled.json()).job;
    }
    if (job.status === "failed") throw new Error(job.error);
    window.location.reload();
  } catch (error) {
    status.textContent = `${button.dataset.failed}: ${error.message}`;
    button.disabled = false;
  }
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-refresh]");
  if (button) refreshThesis(button);
});
