// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Header menu: on narrow screens the navigation collapses behind a button (aria-expanded);
  // without JavaScript the button stays hidden and the navigation is always shown.
  const toggle = document.querySelector(".menu-toggle");
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (toggle && menu) {
    toggle.hidden = false;
    document.querySelector(".site-header").classList.add("menu-ready");
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        toggle.setAttribute("aria-expanded", "false");
        menu.classList.remove("open");
        toggle.focus();
      }
    });
  }
  // A long list of receiving agencies: a search box filters the options by name.
  // The box's label comes translated from the page (data-search-label); without one, no box.
  document.querySelectorAll("select[data-searchable]").forEach((select) => {
    if (select.options.length < 8 || !select.dataset.searchLabel) return;
    const box = document.createElement("input");
    box.type = "search";
    box.id = `${select.id}-search`;
    box.className = "select-search";
    box.setAttribute("aria-controls", select.id);
    const label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = select.dataset.searchLabel;
    select.before(label, box);
    const fold = (t) => t.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();
    box.addEventListener("input", () => {
      const q = fold(box.value.trim());
      select.querySelectorAll("option").forEach((o) => {
        o.hidden = Boolean(q) && Boolean(o.value) && !fold(o.textContent).includes(q);
      });
      select.querySelectorAll("optgroup").forEach((g) => {
        g.hidden = Boolean(q) && !fold(g.label).includes(q) && ![...g.children].some((o) => !o.hidden);
        if (!g.hidden && q && fold(g.label).includes(q)) g.querySelectorAll("option").forEach((o) => { o.hidden = false; });
      });
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Prevent double submission of forms: disable submit buttons after the first submit.
  document.querySelectorAll("form[data-once]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach((b) => {
        b.disabled = true;
      });
    });
  });
});
