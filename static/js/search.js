// The search box as a WAI-ARIA combobox (list autocomplete, manual selection): htmx fetches
// the options as you type (hx-get on the input); this file adds the roles and the keyboard.
// Without JavaScript the input is a plain search field in a plain GET form.
(() => {
  "use strict";

  function setUp(input) {
    if (input.dataset.comboboxReady) return;
    input.dataset.comboboxReady = "1";
    const listbox = document.getElementById(input.dataset.comboboxListbox);
    const status = document.getElementById(input.dataset.comboboxStatus);
    const form = input.form;
    if (!listbox || !form) return;
    let active = -1;
    let suppressed = false; // after a choice or a submit, until the next keystroke

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    const options = () => Array.from(listbox.querySelectorAll('[role="option"]'));

    function setActive(index) {
      const all = options();
      active = index;
      all.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
      if (index >= 0 && all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open() {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function choose(option) {
      suppressed = true;
      close();
      if (option.dataset.href) {
        window.location.assign(option.dataset.href);
        return;
      }
      input.value = option.dataset.value || option.textContent.trim();
      form.requestSubmit();
    }

    // New options arrived (htmx swapped them in).
    document.body.addEventListener("htmx:afterSettle", (event) => {
      if (event.detail.target !== listbox) return;
      setActive(-1);
      if (options().length && !suppressed && document.activeElement === input) open();
      else close();
    });

    // A signed-in user's empty box offers their recent searches (the server answers none
    // when their history is off); typing replaces them with suggestions.
    function offerHistory() {
      if (!("comboboxHistory" in input.dataset) || input.value.trim() || !window.htmx) return;
      window.htmx.ajax("GET", input.getAttribute("hx-get"), {
        source: input, target: listbox, swap: "innerHTML", values: { q: "" },
      });
    }

    input.addEventListener("focus", () => {
      suppressed = false;
      offerHistory();
    });

    input.addEventListener("input", () => {
      suppressed = false;
      setActive(-1);
      if (!input.value.trim()) {
        listbox.replaceChildren();
        if (status) status.textContent = "";
        close();
        offerHistory();
      }
    });

    input.addEventListener("keydown", (event) => {
      const all = options();
      const expanded = !listbox.hidden;
      switch (event.key) {
        case "ArrowDown":
          if (!all.length) return;
          event.preventDefault();
          if (!expanded) open();
          setActive(expanded ? (active + 1) % all.length : 0);
          break;
        case "ArrowUp":
          if (!all.length) return;
          event.preventDefault();
          if (!expanded) open();
          setActive(active <= 0 ? all.length - 1 : active - 1);
          break;
        case "Enter":
          if (expanded && active >= 0 && all[active]) {
            event.preventDefault();
            choose(all[active]);
          } else {
            suppressed = true;
            close();
          }
          break;
        case "Escape":
          if (expanded) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
          }
          break;
        case "Tab":
          close();
          break;
        default:
      }
    });

    input.addEventListener("blur", close);
    // Keep the focus in the input while an option is clicked, so blur does not close first.
    listbox.addEventListener("mousedown", (event) => event.preventDefault());
    listbox.addEventListener("click", (event) => {
      const option = event.target.closest('[role="option"]');
      if (option) choose(option);
    });
    form.addEventListener("submit", () => {
      suppressed = true;
      close();
    });
    // The filters apply at once; the Search button still does it without JavaScript.
    form.querySelectorAll("select").forEach((select) => {
      select.addEventListener("change", () => form.requestSubmit());
    });
  }

  // After paging, move the focus to the new results so that keyboard and screen reader
  // users start reading there rather than at the top of the document.
  document.addEventListener("htmx:afterSettle", (event) => {
    const trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!trigger || !trigger.closest || !trigger.closest("#search-results .pagination")) {
      return;
    }
    const heading = document.querySelector("#search-results h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });

  function init() {
    document.querySelectorAll("[data-combobox-listbox]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:load", init);
})();
