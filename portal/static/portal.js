/* The portal's only script: actions on the Credits, Invoices and Payment options pages.
 *
 * Card details are typed into Stripe.js's card element and go only to Stripe: a new
 * card becomes a PaymentMethod through a SetupIntent (confirmCardSetup), and only its
 * id (pm_...) is sent to this origin. Every state-changing call carries the page's
 * CSRF token; the session itself is an HttpOnly cookie this script cannot read.
 */
"use strict";

(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const csrf = ($('meta[name="csrf-token"]') || {}).content || "";
  const POLL_MS = 1000;
  const POLL_LIMIT = 120;

  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  /* The nearest ancestor of an event's target matching selector (localstripe's script
   * declares a global `Element` class, so `instanceof Element` cannot be trusted). */
  const closest = (event, selector) =>
    event.target && typeof event.target.closest === "function" ? event.target.closest(selector) : null;

  async function call(method, url, body, headers = {}) {
    const response = await fetch(url, {
      method,
      headers: {
        "X-CSRF-Token": csrf,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    return { ok: response.ok, status: response.status, data };
  }

  function detailMessage(data, fallback) {
    if (!data || data.detail === undefined) return fallback;
    const detail = data.detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) return detail.map((d) => d.msg).join("; ");
    if (detail && detail.message) return detail.message;
    return fallback;
  }

  function setText(id, text) {
    const node = document.getElementById(id);
    if (node) node.textContent = text || "";
  }

  function clearErrors(form) {
    $$(".error", form).forEach((node) => { node.textContent = ""; });
    $$("[aria-invalid]", form).forEach((node) => node.removeAttribute("aria-invalid"));
  }

  /* Puts each 422 error beside its field (amount, description); others go to fallbackId. */
  function showFieldErrors(data, fallbackId) {
    const detail = data && Array.isArray(data.detail) ? data.detail : null;
    if (!detail) {
      setText(fallbackId, detailMessage(data, "The request was refused."));
      return;
    }
    for (const item of detail) {
      const field = Array.isArray(item.loc) ? item.loc[item.loc.length - 1] : "";
      const input = document.getElementById(field);
      const slot = document.getElementById(`${field}-error`);
      if (input && slot) {
        input.setAttribute("aria-invalid", "true");
        slot.textContent = item.msg;
        input.focus();
      } else {
        setText(fallbackId, item.msg);
      }
    }
  }

  async function reload(id, query = "") {
    const holder = document.getElementById(id);
    if (!holder) return;
    const response = await fetch(holder.dataset.fragment + query, { credentials: "same-origin" });
    if (response.status === 401) {
      window.location.assign("/");
      return;
    }
    holder.innerHTML = await response.text();
  }

  /* Stripe.js and its card element: one per page. */
  const stripeKey = document.body.dataset.stripeKey;
  const stripe = stripeKey && typeof window.Stripe === "function" ? window.Stripe(stripeKey) : null;
  let card = null;
  const cardHolder = $("#card-element");
  if (stripe && cardHolder) {
    card = stripe.elements().create("card");
    card.mount(cardHolder);
  }

  function selectedCard() {
    const choice = $('input[name="card"]:checked');
    return choice ? choice.value : "new";
  }

  function syncNewCard() {
    const box = $("#new-card");
    if (box && $("#card-choices")) box.hidden = selectedCard() !== "new";
  }
  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.name === "card") syncNewCard();
  });
  syncNewCard();

  /* Turns the card element's card into a PaymentMethod id, through Stripe only. */
  async function newPaymentMethod() {
    if (!stripe || !card) throw new Error("Stripe.js did not load; reload the page.");
    const intent = await call("POST", "/api/setup-intents");
    if (!intent.ok) throw new Error(detailMessage(intent.data, "Could not prepare the card."));
    const result = await stripe.confirmCardSetup(intent.data.client_secret, {
      payment_method: { card },
    });
    if (result.error) {
      const error = new Error(result.error.message || "The card was declined.");
      error.cardError = true;
      throw error;
    }
    return result.setupIntent.payment_method;
  }

  function cardFailure(error) {
    if (error.cardError) setText("card-error", error.message);
    else setText("form-error", error.message);
    setText("form-status", "");
  }

  /* Credits: Refresh, Add credit, Process payment, Cancel. */
  const ledgerQuery = () => {
    const pager = $("#ledger .pager");
    const cursor = pager ? pager.dataset.cursor : "";
    return cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
  };
  const refreshButton = $("#refresh");
  if (refreshButton) {
    refreshButton.addEventListener("click", async () => {
      if ($("#ledger")) await reload("ledger", ledgerQuery());
      if ($("#invoice-list")) await reload("invoice-list");
      if ($("#card-list")) await reload("card-list");
    });
  }

  const addSection = $("#add-credit");
  const addForm = $("#add-credit-form");
  const openAdd = $("#open-add");
  function closeAdd() {
    addForm.reset();
    clearErrors(addForm);
    setText("form-status", "");
    addSection.hidden = true;
    openAdd.setAttribute("aria-expanded", "false");
    syncNewCard();
    openAdd.focus();
  }
  if (addForm && openAdd) {
    openAdd.addEventListener("click", () => {
      addSection.hidden = false;
      openAdd.setAttribute("aria-expanded", "true");
      $("#amount").focus();
    });
    $("#cancel").addEventListener("click", closeAdd);
    addForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(addForm);
      const amount = $("#amount").value.trim();
      if (!/^[0-9]{1,9}(\.[0-9]{1,2})?$/.test(amount)) {
        const msg = amount ? "Write the amount in USD, such as 100 or 47.76." : "Enter an amount in USD.";
        showFieldErrors({ detail: [{ loc: ["amount"], msg }] }, "form-error");
        return;
      }
      const submit = $("#process");
      submit.disabled = true;
      try {
        await addCredit(amount, $("#description").value);
      } finally {
        submit.disabled = false;
      }
    });
  }

  async function addCredit(amount, description) {
    const body = { amount, description, save_card: false, set_default: false };
    const choice = selectedCard();
    setText("form-status", "Processing…");
    try {
      if (choice === "new") {
        body.payment_method_id = await newPaymentMethod();
        body.save_card = $("#save-card").checked;
        body.set_default = $("#set-default").checked;
      } else {
        body.payment_method_id = choice;
      }
    } catch (error) {
      cardFailure(error);
      return;
    }
    const key = crypto.randomUUID();
    const sent = await call("POST", "/api/credits", body, { "Idempotency-Key": key });
    if (!sent.ok) {
      setText("form-status", "");
      showFieldErrors(sent.data, "form-error");
      return;
    }
    setText("form-status", "Pending…");
    await reload("ledger");
    const outcome = await followTopUp(sent.data.request_id);
    await reload("ledger");
    await reload("card-choices");
    syncNewCard();
    if (outcome.ok) {
      addForm.reset();
      syncNewCard();
      setText("form-status", `Added ${outcome.amount} to your credits.`);
    } else {
      setText("form-status", "");
      setText("form-error", outcome.message);
    }
  }

  /* Polls a top-up until it ends; opens Stripe's 3-D Secure authentication when asked. */
  async function followTopUp(requestId) {
    let authenticationFailed = false;
    let authenticated = false;
    for (let i = 0; i < POLL_LIMIT; i += 1) {
      const answer = await call("GET", `/api/credits/requests/${encodeURIComponent(requestId)}`);
      const request = answer.data || {};
      if (answer.ok && request.status === "succeeded") return { ok: true, amount: request.amount };
      if (answer.ok && request.status === "failed") {
        const reason = (request.failure && request.failure.message) || "The payment failed.";
        const message = authenticationFailed
          ? `Authentication failed: no credit was added. ${reason}`
          : reason;
        return { ok: false, message };
      }
      if (answer.ok && request.status === "requires_action" && !authenticated && stripe) {
        authenticated = true;
        setText("form-status", "Your bank asks you to confirm this payment…");
        const result = await stripe.confirmCardPayment(request.client_secret);
        const intent = result.paymentIntent;
        authenticationFailed = Boolean(result.error) || !intent || intent.status !== "succeeded";
        setText("form-status", authenticationFailed ? "Authentication failed…" : "Pending…");
      }
      await wait(POLL_MS);
    }
    return { ok: false, message: "No answer yet: press Refresh in a moment to see the outcome." };
  }

  /* Invoices: pay an active or expired invoice with a saved or new card. */
  const paySection = $("#pay-invoice");
  const payForm = $("#pay-form");
  let payingInvoice = null;
  function closePay() {
    payForm.reset();
    clearErrors(payForm);
    setText("form-status", "");
    paySection.hidden = true;
    syncNewCard();
  }
  if (payForm) {
    document.addEventListener("click", (event) => {
      const button = closest(event, "button.pay");
      if (!button) return;
      payingInvoice = button.dataset.invoice;
      setText("pay-title", `Pay ${button.dataset.remaining} of invoice ${payingInvoice}`);
      paySection.hidden = false;
      syncNewCard();
      $("#pay-title").setAttribute("tabindex", "-1");
      $("#pay-title").focus();
    });
    $("#cancel").addEventListener("click", closePay);
    payForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(payForm);
      const submit = $("#pay-submit");
      submit.disabled = true;
      try {
        await payInvoice(payingInvoice);
      } finally {
        submit.disabled = false;
      }
    });
  }

  async function payInvoice(invoiceId) {
    let paymentMethod = selectedCard();
    setText("form-status", "Processing…");
    if (paymentMethod === "new") {
      try {
        paymentMethod = await newPaymentMethod();
      } catch (error) {
        cardFailure(error);
        return;
      }
      const saved = await call("POST", "/api/payment-methods", { payment_method_id: paymentMethod });
      if (!saved.ok) {
        setText("form-status", "");
        setText("card-error", detailMessage(saved.data, "The card could not be saved."));
        return;
      }
    }
    const path = `/api/invoices/${encodeURIComponent(invoiceId)}`;
    const sent = await call("POST", `${path}/pay`, { payment_method_id: paymentMethod });
    if (!sent.ok) {
      setText("form-status", "");
      setText("form-error", detailMessage(sent.data, "The invoice could not be paid."));
      return;
    }
    setText("form-status", "Pending…");
    for (let i = 0; i < POLL_LIMIT; i += 1) {
      const answer = await call("GET", path);
      const invoice = answer.data || {};
      if (answer.ok && invoice.status === "paid") {
        closePay();
        await reload("invoice-list");
        await reload("card-choices");
        setText("invoice-status", `Invoice ${invoiceId} is paid.`);
        return;
      }
      if (answer.ok && !invoice.payment_in_progress && invoice.last_payment_error) {
        setText("form-status", "");
        setText("form-error", invoice.last_payment_error.message);
        await reload("invoice-list");
        return;
      }
      await wait(POLL_MS);
    }
    setText("form-status", "No answer yet: press Refresh in a moment to see the outcome.");
  }

  /* Payment options: set default, remove, add a card. */
  const cardList = $("#card-list");
  if (cardList) {
    cardList.addEventListener("click", async (event) => {
      const button = closest(event, "button");
      if (!button || !button.dataset.card) return;
      setText("cards-error", "");
      const path = `/api/payment-methods/${encodeURIComponent(button.dataset.card)}`;
      const answer = button.classList.contains("remove")
        ? await call("DELETE", path)
        : await call("POST", `${path}/default`);
      if (!answer.ok) setText("cards-error", detailMessage(answer.data, "That did not work."));
      else setText("cards-status", button.classList.contains("remove") ? "Card removed." : "Default card changed.");
      await reload("card-list");
    });
  }
  const addCardForm = $("#add-card-form");
  if (addCardForm) {
    addCardForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(addCardForm);
      const submit = $("#save-new-card");
      submit.disabled = true;
      setText("form-status", "Saving…");
      try {
        const paymentMethod = await newPaymentMethod();
        const body = { payment_method_id: paymentMethod, set_default: $("#set-default").checked };
        const saved = await call("POST", "/api/payment-methods", body);
        if (!saved.ok) {
          setText("form-status", "");
          setText("card-error", detailMessage(saved.data, "The card could not be saved."));
          return;
        }
        addCardForm.reset();
        setText("form-status", "Card saved.");
        await reload("card-list");
      } catch (error) {
        cardFailure(error);
      } finally {
        submit.disabled = false;
      }
    });
  }

  document.body.dataset.ready = "true";

  const signOut = $("#sign-out");
  if (signOut) {
    signOut.addEventListener("click", async () => {
      await call("POST", "/sign-out");
      window.location.assign("/");
    });
  }
})();
