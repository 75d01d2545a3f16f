// What the Content-Security-Policy (no inline event handler, no eval) takes away from
// Flask-Admin, done here instead. Loaded on every admin page, after jQuery.
(function ($) {
  "use strict";

  function closest(event, selector) {
    return event.target instanceof Element ? event.target.closest(selector) : null;
  }

  // Capture phase: runs even when a handler stops the event's propagation.
  document.addEventListener("click", function (event) {
    // Links to "javascript:void(0)" (tabs, pager, menus): the policy would block the navigation.
    if (closest(event, 'a[href^="javascript:"]')) { event.preventDefault(); }
  }, true);

  document.addEventListener("click", function (event) {
    var confirmed = closest(event, "[data-confirm]");
    if (confirmed && !window.confirm(confirmed.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    var action = closest(event, "a[data-action]");
    if (action && window.modelActions) {
      event.preventDefault();
      window.modelActions.execute(action.getAttribute("data-action"));
      return;
    }
    var add = closest(event, "[data-add-inline]");
    if (add && window.faForm) {
      event.preventDefault();
      window.faForm.addInlineField(add, add.getAttribute("data-add-inline"));
    }
  });

  // x-editable reads its data-* options with `new Function("return " + text)`; Flask-Admin
  // writes them as JSON, so JSON.parse reads them the same. Patched on DOM ready, before
  // Flask-Admin's form.js turns the cells into editables (its ready handler comes later).
  if ($) {
    $(function () {
      var utils = $.fn.editableutils;
      if (!utils) { return; }
      utils.tryParseJson = function (value, safe) {
        if (typeof value === "string" && value.length && /^[\{\[].*[\}\]]$/.test(value)) {
          if (!safe) { return JSON.parse(value); }
          try { return JSON.parse(value); } catch (e) { return value; }
        }
        return value;
      };
    });
  }
})(window.jQuery);
