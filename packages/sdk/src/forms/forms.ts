/** `form_submit` properties: the form's id, name and action, never a field value. */
export type FormInfo = {
  formId: string | null
  formName: string | null
  formAction: string
}

/** Names, ids and autocomplete tokens of email fields: `email`, `Email`, `e-mail`, `work_email`. */
const EMAIL_FIELD = /e-?mail/i
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * The email typed in a form: the first `type=email` input holding one, else the first text
 * input whose name, id or autocomplete says email. No other field is read (never a
 * password, a hidden field or a textarea).
 */
export function formEmail(form: HTMLFormElement): string | undefined {
  let fallback: string | undefined
  for (const field of form.elements as unknown as HTMLInputElement[]) {
    const type = field.tagName === 'INPUT' && field.type
    if (
      type === 'email' ||
      (type === 'text' && EMAIL_FIELD.test(`${field.name} ${field.id} ${field.autocomplete}`))
    ) {
      const value = field.value.trim()
      if (EMAIL.test(value)) {
        if (type === 'email') return value
        fallback ??= value
      }
    }
  }
  return fallback
}

/**
 * Calls `onSubmit` for every valid form submission in the document, including forms added
 * later: one capture-phase listener on `document`, run before the page's own handlers. It
 * never cancels or delays the submit.
 *
 * Forms submitted by script (`fetch`) cancel the event in their own handler, which runs after
 * this one: cancellation cannot tell them from a rejected submit, so it is not looked at.
 * A form the browser considers invalid never fires `submit`, except with `novalidate`: then
 * an invalid form (`:invalid`, which fires no `invalid` events) is skipped.
 * `data-touchline-ignore` on the form or an ancestor opts it out.
 */
export function watchForms(onSubmit: (email: string | undefined, info: FormInfo) => void): void {
  document.addEventListener(
    'submit',
    (event) => {
      try {
        const form = event.target as HTMLFormElement
        if (form.closest('[data-touchline-ignore]') || form.matches(':invalid')) return
        // Attributes, not properties: `form.id` would be a field named "id".
        const action =
          (event as SubmitEvent).submitter?.getAttribute('formaction') ||
          form.getAttribute('action') ||
          ''
        onSubmit(formEmail(form), {
          formId: form.getAttribute('id'),
          formName: form.getAttribute('name'),
          formAction: new URL(action, document.baseURI).href,
        })
      } catch {
        // Never break the host page.
      }
    },
    true,
  )
}
