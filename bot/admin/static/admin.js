// The little JavaScript of the admin pages: confirm before deleting, submit filters and statuses on change,
// and show that a re-ingest is running. Everything works without it too.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  for (const form of document.querySelectorAll("form[data-busy]")) {
    form.addEventListener("submit", () => {
      const button = form.querySelector("button");
      window.setTimeout(() => { button.disabled = true; button.textContent = form.dataset.busy; }, 0);
    });
  }
});
