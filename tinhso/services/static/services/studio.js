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
  // Repeating blocks: the applicant adds rows (up to data-rows-max) from the block's
  // <template> and removes them (down to data-rows-min). Without scripts the rows the
  // server rendered are there (at least the block's minimum) and these buttons stay hidden.
  function rowsOf(list) { return list.querySelectorAll("[data-row]"); }
  function rowsSetup(root) {
    var blocks = root.querySelectorAll("fieldset.studio-repeat[data-rows-max]");
    for (var b = 0; b < blocks.length; b++) {
      var block = blocks[b];
      if (block.dataset.rowsReady) continue;
      block.dataset.rowsReady = "1";
      rowsRefresh(block);
    }
  }
  function rowsRefresh(block) {
    var list = block.querySelector(".studio-rows");
    var rows = rowsOf(list);
    var add = block.querySelector("[data-row-add]");
    if (add) add.hidden = rows.length >= Number(block.dataset.rowsMax);
    for (var i = 0; i < rows.length; i++) {
      var remove = rows[i].querySelector("[data-row-remove]");
      if (remove) remove.hidden = rows.length <= Number(block.dataset.rowsMin);
    }
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var addButton = target.closest("[data-row-add]");
    var removeButton = target.closest("[data-row-remove]");
    var block = (addButton || removeButton) && (addButton || removeButton).closest("fieldset.studio-repeat");
    if (!block) return;
    var list = block.querySelector(".studio-rows");
    if (addButton) {
      if (rowsOf(list).length >= Number(block.dataset.rowsMax)) return;
      var next = Number(block.dataset.rowsNext);
      block.dataset.rowsNext = String(next + 1);
      var html = block.querySelector("template[data-row-template]").innerHTML
        .split("ROWINDEX").join(String(next)).split("ROWNUMBER").join(String(next + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      list.appendChild(row);
      rowsRefresh(block);
      var first = row.querySelector("input, select, textarea");
      if (first) first.focus();
    } else {
      if (rowsOf(list).length <= Number(block.dataset.rowsMin)) return;
      removeButton.closest("[data-row]").remove();
      rowsRefresh(block);
      var add = block.querySelector("[data-row-add]");
      if (add && !add.hidden) add.focus();
    }
    apply(document);
  });
  document.addEventListener("change", function () { apply(document); });
  document.addEventListener("input", function () { apply(document); });
  document.addEventListener("DOMContentLoaded", function () { rowsSetup(document); apply(document); });
  document.addEventListener("htmx:afterSwap", function () { rowsSetup(document); apply(document); });
})();
