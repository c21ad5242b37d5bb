//! The complaint form's fields: one function per kind of field, the words
//! in the citizen's language, errors beside each field.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::browser;
use super::form::{Delivery, Draft};
use crate::api::{Locale, RegionForm};
use crate::labels::Label;
use crate::validate::LIMITS;

pub(super) fn field_id(name: &str) -> String {
    name.replace('.', "-")
}

type ReadField = fn(&Draft) -> String;
type WriteField = fn(&mut Draft, String);

#[allow(clippy::too_many_arguments)]
fn text_field(
    name: &'static str,
    label: Label,
    kind: &'static str,
    max: usize,
    optional: bool,
    locale: RwSignal<Locale>,
    draft: RwSignal<Draft>,
    errors: RwSignal<BTreeMap<String, String>>,
    locked: Signal<bool>,
    get: ReadField,
    set: WriteField,
) -> impl IntoView {
    let id = field_id(name);
    let err_id = format!("err-{id}");
    let err_id2 = err_id.clone();
    view! {
        <div class="field">
            <label for=id.clone()>
                {label.text(locale.get_untracked())}
                {optional.then(|| format!(" ({})", Label::Optional.text(locale.get_untracked())))}
            </label>
            <input id=id type=kind maxlength=max.to_string() disabled=move || locked.get()
                prop:value=move || draft.with(get)
                on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev)))
                aria-invalid=move || errors.with(|e| e.contains_key(name)).then_some("true")
                aria-describedby=move || errors.with(|e| e.contains_key(name)).then(|| err_id.clone()) />
            {move || errors.with(|e| e.get(name).cloned()).map(|m| view! { <p class="err" id=err_id2.clone()>{m}</p> })}
        </div>
    }
}

fn choice_name(locale: Locale, id: &str, en: &str) -> String {
    match locale {
        Locale::Id => id.to_owned(),
        Locale::En => en.to_owned(),
    }
}

#[allow(clippy::too_many_lines)]
pub(super) fn form_fields(
    f: RegionForm,
    locale: RwSignal<Locale>,
    draft: RwSignal<Draft>,
    errors: RwSignal<BTreeMap<String, String>>,
    sending: RwSignal<Delivery>,
    locked: Signal<bool>,
    send: Callback<()>,
) -> impl IntoView {
    // The form is rebuilt when the language changes (its caller reads the
    // locale), so its words are plain text rather than one reactive node each.
    let lang = locale.get_untracked();
    let l = move || lang;
    let err = move |name: &'static str| {
        move || {
            errors
                .with(|e| e.get(name).cloned())
                .map(|m| view! { <p class="err" id=format!("err-{}", field_id(name))>{m}</p> })
        }
    };
    let invalid =
        move |name: &'static str| move || errors.with(|e| e.contains_key(name)).then_some("true");
    let described = move |name: &'static str| {
        move || {
            errors
                .with(|e| e.contains_key(name))
                .then(|| format!("err-{}", field_id(name)))
        }
    };
    let today = browser::today().to_string();
    let own = f.region.slug.clone();
    let own_name = f.region.name.clone();
    let mut groups: Vec<(String, Vec<(String, String)>)> = vec![(own_name, Vec::new())];
    for d in &f.districts {
        if d.region == own {
            groups[0].1.push((d.key.clone(), d.name.clone()));
        } else {
            match groups.last_mut() {
                Some((name, list)) if *name == d.region_name => {
                    list.push((d.key.clone(), d.name.clone()))
                }
                _ => groups.push((d.region_name.clone(), vec![(d.key.clone(), d.name.clone())])),
            }
        }
    }
    let classifications = f.classifications.clone();
    let privacy_modes = f.privacy_modes.clone();
    let categories = f.categories.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send.run(());
    };
    view! {
        <form on:submit=on_submit novalidate>
            <h2>{Label::FileTitle.text(lang)}</h2>
            <p class="muted">{Label::FileIntro.text(lang)}</p>
            {move || (!errors.with(BTreeMap::is_empty)).then(|| view! {
                <p class="notice bad" role="alert">{Label::FixErrors.text(l())}</p>
            })}
            <fieldset class="field">
                <legend>{Label::Classification.text(lang)}</legend>
                {classifications.into_iter().map(|c| {
                    let key = c.key.clone();
                    let key2 = c.key.clone();
                    view! {
                        <label class="choice">
                            <input type="radio" name="classification" disabled=move || locked.get()
                                prop:checked=move || draft.with(|d| d.input.classification == key)
                                on:change=move |_| draft.update(|d| d.input.classification = key2.clone()) />
                            {choice_name(lang, &c.label_id, &c.label_en)}
                        </label>
                    }
                }).collect_view()}
                {err("classification")}
            </fieldset>
            {text_field("title", Label::Title, "text", LIMITS.title_max, false, locale, draft, errors, locked,
                |d| d.input.title.clone(), |d, v| d.input.title = v)}
            <div class="field">
                <label for="description">{Label::Description.text(lang)}</label>
                <textarea id="description" rows="6" maxlength=LIMITS.description_max.to_string() disabled=move || locked.get()
                    prop:value=move || draft.with(|d| d.input.description.clone())
                    on:input=move |ev| draft.update(|d| d.input.description = event_target_value(&ev))
                    aria-invalid=invalid("description") aria-describedby=described("description")></textarea>
                <span class="count">{move || draft.with(|d| d.input.description.chars().count())}" / "{LIMITS.description_max}" "{Label::Characters.text(lang)}</span>
                {err("description")}
            </div>
            <div class="field">
                <label for="category">{Label::Category.text(lang)}</label>
                <select id="category" disabled=move || locked.get()
                    on:change=move |ev| draft.update(|d| d.input.category = event_target_value(&ev))
                    aria-invalid=invalid("category") aria-describedby=described("category")>
                    <option value="">{Label::Choose.text(lang)}</option>
                    {categories.into_iter().map(|c| {
                        let key = c.key.clone();
                        view! {
                            <option value=c.key.clone() selected=move || draft.with(|d| d.input.category == key)>
                                {choice_name(lang, &c.name_id, &c.name_en)}
                            </option>
                        }
                    }).collect_view()}
                </select>
                {err("category")}
            </div>
            <div class="field">
                <label for="district">{Label::District.text(lang)}" ("{Label::Optional.text(lang)}")"</label>
                <select id="district" disabled=move || locked.get() aria-describedby="help-district"
                    on:change=move |ev| draft.update(|d| { let v = event_target_value(&ev); d.input.district = (!v.is_empty()).then_some(v); })>
                    <option value="">{Label::Choose.text(lang)}</option>
                    {groups.into_iter().enumerate().map(|(i, (name, list))| {
                        let label = move || if i == 0 { name.clone() } else { format!("{} · {}", Label::OtherRegions.text(l()), name) };
                        view! {
                            <optgroup label=label>
                                {list.into_iter().map(|(key, district)| {
                                    let k = key.clone();
                                    view! { <option value=key selected=move || draft.with(|d| d.input.district.as_deref() == Some(k.as_str()))>{district}</option> }
                                }).collect_view()}
                            </optgroup>
                        }
                    }).collect_view()}
                </select>
                <span class="help" id="help-district">{Label::DistrictHelp.text(lang)}</span>
                {err("district")}
            </div>
            {text_field("location", Label::Location, "text", LIMITS.location_max, true, locale, draft, errors, locked,
                |d| d.input.location.clone().unwrap_or_default(), |d, v| d.input.location = Some(v))}
            <div class="field">
                <label for="incident_date">{Label::IncidentDate.text(lang)}" ("{Label::Optional.text(lang)}")"</label>
                <input id="incident_date" type="date" max=today disabled=move || locked.get()
                    prop:value=move || draft.with(|d| d.input.incident_date.clone().unwrap_or_default())
                    on:input=move |ev| draft.update(|d| { let v = event_target_value(&ev); d.input.incident_date = (!v.is_empty()).then_some(v); })
                    aria-invalid=invalid("incident_date") aria-describedby=described("incident_date") />
                {err("incident_date")}
            </div>
            <fieldset class="field">
                <legend>{Label::Privacy.text(lang)}</legend>
                {privacy_modes.into_iter().map(|p| {
                    let key = p.key.clone();
                    let key2 = p.key.clone();
                    let help_id = p.help_id.clone().unwrap_or_default();
                    let help_en = p.help_en.clone().unwrap_or_default();
                    view! {
                        <label class="choice">
                            <input type="radio" name="privacy" disabled=move || locked.get()
                                prop:checked=move || draft.with(|d| d.input.privacy == key)
                                on:change=move |_| draft.update(|d| d.input.privacy = key2.clone()) />
                            <span>
                                <strong>{choice_name(lang, &p.label_id, &p.label_en)}</strong>
                                <span class="help">{choice_name(lang, &help_id, &help_en)}</span>
                            </span>
                        </label>
                    }
                }).collect_view()}
                {err("privacy")}
            </fieldset>
            <fieldset class="field">
                <legend>{Label::Contact.text(lang)}</legend>
                <span class="help">{Label::ContactHelp.text(lang)}</span>
                {text_field("reporter.name", Label::Name, "text", LIMITS.name_max, true, locale, draft, errors, locked,
                    |d| d.input.reporter.name.clone().unwrap_or_default(), |d, v| d.input.reporter.name = Some(v))}
                {text_field("reporter.email", Label::Email, "email", LIMITS.email_max, true, locale, draft, errors, locked,
                    |d| d.input.reporter.email.clone().unwrap_or_default(), |d, v| d.input.reporter.email = Some(v))}
                {text_field("reporter.phone", Label::Phone, "tel", LIMITS.phone_max, true, locale, draft, errors, locked,
                    |d| d.input.reporter.phone.clone().unwrap_or_default(), |d, v| d.input.reporter.phone = Some(v))}
            </fieldset>
            <div class="field">
                <label class="choice">
                    <input type="checkbox" disabled=move || locked.get()
                        prop:checked=move || draft.with(|d| d.consent)
                        on:change=move |ev| draft.update(|d| d.consent = event_target_checked(&ev))
                        aria-invalid=invalid("consent") aria-describedby=described("consent") />
                    <span>{Label::Consent.text(lang)}</span>
                </label>
                {err("consent")}
            </div>
            <div role="status" aria-live="polite">
                {move || match sending.get() {
                    Delivery::Idle => ().into_any(),
                    Delivery::InFlight => view! { <p class="notice">{Label::Sending.text(l())}</p> }.into_any(),
                    Delivery::Waiting => view! {
                        <p class="notice">{Label::Offline.text(l())}</p>
                        <button type="button" class="link" on:click=move |_| send.run(())>{Label::TryAgain.text(l())}</button>
                    }.into_any(),
                    Delivery::Failed(message) => view! { <p class="notice bad">{message}</p> }.into_any(),
                }}
            </div>
            <button type="submit" class="primary" disabled=move || locked.get()>{Label::Submit.text(lang)}</button>
        </form>
    }
}
