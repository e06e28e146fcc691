// articleqa's only script: what plain HTML cannot do. Served from this app (CSP 'self').
"use strict";

// The article page: bring the highlighted quote into view and give it focus, so that
// keyboard and screen-reader users land on it too.
function showQuote() {
  const target = document.querySelector("[data-scroll-target]");
  if (!target) return;
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
}

// The ask page after a question: move focus to the answer, so a screen reader reads it next
// (the page was reloaded by the form, and focus would otherwise start at the top again).
function focusAnswer() {
  const heading = document.getElementById("answer-heading");
  if (!heading) return;
  heading.setAttribute("tabindex", "-1");
  heading.focus({ preventScroll: true });
}

// The rebuild page: follow the job until the new index is live (or the job failed).
function followRebuild() {
  const box = document.getElementById("rebuild");
  if (!box || box.dataset.status !== "running") return;
  const message = document.getElementById("rebuild-message");
  const bar = document.getElementById("rebuild-progress");
  const poll = async () => {
    let state;
    try {
      const response = await fetch(box.dataset.stateUrl, { credentials: "same-origin" });
      state = await response.json();
      if (!response.ok) throw new Error(state.error ? state.error.message : response.status);
    } catch (err) {
      message.textContent = "Lost track of the rebuild (" + err.message + "); reload the page.";
      return;
    }
    message.textContent = state.message;
    message.dataset.live = state.live ? "true" : "false";
    box.dataset.status = state.status;
    if (state.status === "running") {
      setTimeout(poll, 500);
    } else {
      bar.max = 1;
      bar.value = 1;
    }
  };
  setTimeout(poll, 300);
}

document.addEventListener("DOMContentLoaded", () => {
  showQuote();
  focusAnswer();
  followRebuild();
});
