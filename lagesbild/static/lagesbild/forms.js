// Behaviour that would otherwise need inline event handlers, which the Content-Security-Policy
// forbids: a <select data-submit-on-change> submits its form when its value changes (the form
// keeps a <noscript> submit button for browsers without JavaScript).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-submit-on-change]") && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});
