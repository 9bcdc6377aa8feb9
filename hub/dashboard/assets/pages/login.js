// The login: a read token, checked against the hub before it is kept for this tab.
import { checkToken, setToken } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

export function loginPage(onSignedIn) {
  const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", required: true });
  const message = h("p", { class: "error", role: "alert", id: "login-error", hidden: true });
  const form = h("form", { class: "login", id: "login-form" },
    h("h1", {}, t("login.title")),
    h("p", { class: "help" }, t("login.help")),
    h("label", { for: "token" }, t("login.token")),
    input,
    h("button", { type: "submit" }, t("login.submit")),
    message);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const value = input.value.trim();
    message.hidden = true;
    if (!value) {
      message.textContent = t("login.empty");
      message.hidden = false;
      return;
    }
    try {
      await checkToken(value);
      setToken(value);
      onSignedIn();
    } catch (e) {
      message.textContent = e.message;
      message.hidden = false;
    }
  });
  return form;
}
