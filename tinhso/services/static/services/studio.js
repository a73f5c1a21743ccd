// Conditional display of a studio form's fields ("show when field X is Y"). The server
// decides what is required and drops hidden values; this only hides what does not apply.
(function () {
  "use strict";
  function values(form, name) {
    var out = [];
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) continue;
      if (el.tagName === "SELECT" && el.multiple) {
        for (var j = 0; j < el.options.length; j++) if (el.options[j].selected) out.push(el.options[j].value);
      } else if (el.value !== "") {
        out.push(el.value);
      }
    }
    return out;
  }
  function visible(el) {
    var hidden = el.closest("[hidden]");
    return !hidden;
  }
  function apply(root) {
    var items = root.querySelectorAll("[data-show-field]");
    for (var pass = 0; pass < 2; pass++) {
      for (var i = 0; i < items.length; i++) {
        var el = items[i];
        var form = el.closest("form") || root;
        var source = form.querySelector('[name="' + el.dataset.showField + '"]');
        var got = source && visible(source) ? values(form, el.dataset.showField) : [];
        var want = el.dataset.showEquals;
        el.hidden = want ? got.indexOf(want) < 0 : got.length === 0;
      }
    }
  }
  document.addEventListener("change", function () { apply(document); });
  document.addEventListener("input", function () { apply(document); });
  document.addEventListener("DOMContentLoaded", function () { apply(document); });
  document.addEventListener("htmx:afterSwap", function () { apply(document); });
})();
