//! The complaint form's fields: the words in the citizen's language,
//! errors beside each field.
//!
//! The fields are drawn once from the draft (the form is drawn again when
//! the language changes or a new draft starts) and report back through one
//! input handler on the form, keyed by each field's `name`; one `fieldset`
//! disables them all while a complaint is on its way. That keeps the
//! widget small: one handler and one binding instead of several per field.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::browser;
use super::form::{Delivery, Draft};
use crate::api::{Classification, Locale, Privacy, RegionForm};
use crate::labels;
use crate::labels::Label;
use crate::validate::LIMITS;

/// The fields in error, each with its sentence.
pub(super) type Problems = Vec<(String, String)>;

fn has(problems: &Problems, name: &str) -> bool {
    problems.iter().any(|(k, _)| k == name)
}

fn problem(problems: &Problems, name: &str) -> Option<String> {
    problems
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, m)| m.clone())
}

pub(super) fn field_id(name: &str) -> String {
    name.replace('.', "-")
}

fn some(v: String) -> Option<String> {
    (!v.is_empty()).then_some(v)
}

/// Writes one field's new value into the draft, by the field's name.
fn set_field(d: &mut Draft, name: &str, value: String, checked: bool) {
    let i = &mut d.input;
    match name {
        "classification" => i.classification = value,
        "title" => i.title = value,
        "description" => i.description = value,
        "category" => i.category = value,
        "district" => i.district = some(value),
        "location" => i.location = some(value),
        "landmark" => i.landmark = some(value),
        "incident_date" => i.incident_date = some(value),
        "privacy" => i.privacy = value,
        "reporter.name" => i.reporter.name = some(value),
        "reporter.email" => i.reporter.email = some(value),
        "reporter.phone" => i.reporter.phone = some(value),
        "consent" => d.consent = checked,
        _ => {}
    }
}

use super::browser::property;

/// The form's one input handler: whatever field changed, by its name.
fn on_field(draft: RwSignal<Draft>, ev: &web_sys::Event) {
    let Some(target) = ev.target().map(JsValue::from) else {
        return;
    };
    let Some(name) = property(&target, "name").as_string() else {
        return;
    };
    let value = property(&target, "value").as_string().unwrap_or_default();
    let checked = property(&target, "checked").as_bool().unwrap_or(false);
    draft.update(|d| set_field(d, &name, value, checked));
}

/// One labelled text input, drawn from the draft's value.
#[allow(clippy::too_many_arguments)]
fn text_field(
    name: &'static str,
    label: Label,
    kind: &'static str,
    max: usize,
    optional: bool,
    value: Option<String>,
    lang: Locale,
    errors: RwSignal<Problems>,
) -> AnyView {
    let id = field_id(name);
    view! {
        <div class="field">
            <label for=id.clone()>
                {if optional {
                    format!("{} ({})", label.text(lang), Label::Optional.text(lang))
                } else {
                    label.text(lang).to_owned()
                }}
            </label>
            <input id=id name=name type=kind maxlength=max.to_string() value=value.unwrap_or_default()
                aria-invalid=invalid(errors, name) aria-describedby=described(errors, name) />
            {err(errors, name)}
        </div>
    }
    .into_any()
}

fn invalid(
    errors: RwSignal<Problems>,
    name: &'static str,
) -> impl Fn() -> Option<&'static str> + Send + Sync + Clone + 'static {
    move || errors.with(|e| has(e, name)).then_some("true")
}

fn described(
    errors: RwSignal<Problems>,
    name: &'static str,
) -> impl Fn() -> Option<String> + Send + Sync + Clone + 'static {
    move || {
        errors
            .with(|e| has(e, name))
            .then(|| format!("err-{}", field_id(name)))
    }
}

fn err(errors: RwSignal<Problems>, name: &'static str) -> impl IntoView {
    move || {
        errors
            .with(|e| problem(e, name))
            .map(|m| view! { <p class="err" id=format!("err-{}", field_id(name))>{m}</p> })
    }
}

/// A group of radio buttons, each with an optional one-sentence help.
fn radios(
    name: &'static str,
    legend: Label,
    options: Vec<(String, String, Option<String>)>,
    chosen: String,
    lang: Locale,
    errors: RwSignal<Problems>,
) -> AnyView {
    view! {
        <fieldset class="field">
            <legend>{legend.text(lang)}</legend>
            {options.into_iter().map(|(key, label, help)| {
                let checked = key == chosen;
                view! {
                    <label class="choice">
                        <input type="radio" name=name value=key checked=checked />
                        <span>
                            <strong>{label}</strong>
                            {help.map(|h| view! { <span class="help">{h}</span> })}
                        </span>
                    </label>
                }
            }).collect_view()}
            {err(errors, name)}
        </fieldset>
    }
    .into_any()
}

#[allow(clippy::too_many_lines)]
pub(super) fn form_fields(
    f: RegionForm,
    locale: RwSignal<Locale>,
    draft: RwSignal<Draft>,
    errors: RwSignal<Problems>,
    sending: RwSignal<Delivery>,
    locked: Signal<bool>,
    send: Callback<()>,
) -> impl IntoView {
    // The form is rebuilt when the language changes (its caller reads the
    // locale), so its words are plain text rather than one reactive node each.
    let lang = locale.get_untracked();
    let l = move || lang;
    let d = draft.get_untracked();
    let today = browser::today().to_string();
    let own = f.region.slug.clone();
    let own_name = f.region.name.clone();
    let mut groups: Vec<(String, Vec<(String, String)>)> = vec![(own_name, Vec::new())];
    for district in &f.districts {
        if district.region == own {
            groups[0]
                .1
                .push((district.key.clone(), district.name.clone()));
        } else {
            match groups.last_mut() {
                Some((name, list)) if *name == district.region_name => {
                    list.push((district.key.clone(), district.name.clone()));
                }
                _ => groups.push((
                    district.region_name.clone(),
                    vec![(district.key.clone(), district.name.clone())],
                )),
            }
        }
    }
    // The choices the server offers, in the widget's own words.
    let classifications = f
        .classifications
        .iter()
        .filter_map(|c| Classification::from_key(&c.key))
        .map(|c| {
            (
                c.key().to_owned(),
                labels::classification(c, lang).to_owned(),
                None,
            )
        })
        .collect();
    let privacy_modes = f
        .privacy_modes
        .iter()
        .filter_map(|p| Privacy::from_key(&p.key))
        .map(|p| {
            let (name, help) = labels::privacy(p, lang);
            (p.key().to_owned(), name.to_owned(), some(help.to_owned()))
        })
        .collect();
    let chosen_district = d.input.district.clone().unwrap_or_default();
    let chosen_category = d.input.category.clone();
    // The lists as markup, then the draft's choice as the value.
    let choose = Label::Choose.text(lang);
    let district_options = crate::markup::options(
        choose,
        &groups
            .into_iter()
            .enumerate()
            .map(|(i, (name, list))| {
                let label = match i {
                    0 => name,
                    _ => format!("{} · {name}", Label::OtherRegions.text(lang)),
                };
                (Some(label), list)
            })
            .collect::<Vec<_>>(),
    );
    let categories = f
        .categories
        .iter()
        .map(|c| {
            let name = if lang == Locale::En {
                &c.name_en
            } else {
                &c.name_id
            };
            (c.key.clone(), name.clone())
        })
        .collect();
    let category_options = crate::markup::options(choose, &[(None, categories)]);
    let description = d.input.description.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send.run(());
    };
    let on_input = move |ev: leptos::ev::Event| on_field(draft, &ev);
    let on_change = move |ev: leptos::ev::Event| on_field(draft, &ev);
    let optional = format!(" ({})", Label::Optional.text(lang));
    let characters = Label::Characters.text(lang);
    view! {
        <form on:submit=on_submit on:input=on_input on:change=on_change novalidate>
            <h2>{Label::FileTitle.text(lang)}</h2>
            <p class="muted">{Label::FileIntro.text(lang)}</p>
            {move || (!errors.with(Vec::is_empty)).then(|| view! {
                <p class="notice bad" role="alert">{Label::FixErrors.text(l())}</p>
            })}
            <fieldset class="fields" disabled=move || locked.get()>
                {radios("classification", Label::Classification, classifications, d.input.classification.clone(), lang, errors)}
                {text_field("title", Label::Title, "text", LIMITS.title_max, false, Some(d.input.title.clone()), lang, errors)}
                <div class="field">
                    <label for="description">{Label::Description.text(lang)}</label>
                    <textarea id="description" name="description" maxlength=LIMITS.description_max.to_string()
                        aria-invalid=invalid(errors, "description") aria-describedby=described(errors, "description")>{description}</textarea>
                    <span class="count">{move || format!("{} / {} {characters}", draft.with(|d| d.input.description.chars().count()), LIMITS.description_max)}</span>
                    {err(errors, "description")}
                </div>
                <div class="field">
                    <label for="category">{Label::Category.text(lang)}</label>
                    <select id="category" name="category" inner_html=category_options prop:value=chosen_category
                        aria-invalid=invalid(errors, "category") aria-describedby=described(errors, "category")>
                    </select>
                    {err(errors, "category")}
                </div>
                <div class="field">
                    <label for="district">{format!("{}{optional}", Label::District.text(lang))}</label>
                    <select id="district" name="district" aria-describedby="help-district"
                        inner_html=district_options prop:value=chosen_district>
                    </select>
                    <span class="help" id="help-district">{Label::DistrictHelp.text(lang)}</span>
                    {err(errors, "district")}
                </div>
                {text_field("location", Label::Location, "text", LIMITS.location_max, true, d.input.location.clone(), lang, errors)}
                {text_field("landmark", Label::Landmark, "text", crate::validate::LANDMARK_MAX, true, d.input.landmark.clone(), lang, errors)}
                <div class="field">
                    <label for="incident_date">{format!("{}{optional}", Label::IncidentDate.text(lang))}</label>
                    <input id="incident_date" name="incident_date" type="date" max=today
                        value=d.input.incident_date.clone().unwrap_or_default()
                        aria-invalid=invalid(errors, "incident_date") aria-describedby=described(errors, "incident_date") />
                    {err(errors, "incident_date")}
                </div>
                {radios("privacy", Label::Privacy, privacy_modes, d.input.privacy.clone(), lang, errors)}
                <fieldset class="field">
                    <legend>{Label::Contact.text(lang)}</legend>
                    <span class="help">{Label::ContactHelp.text(lang)}</span>
                    {text_field("reporter.name", Label::Name, "text", LIMITS.name_max, true, d.input.reporter.name.clone(), lang, errors)}
                    {text_field("reporter.email", Label::Email, "email", LIMITS.email_max, true, d.input.reporter.email.clone(), lang, errors)}
                    {text_field("reporter.phone", Label::Phone, "tel", LIMITS.phone_max, true, d.input.reporter.phone.clone(), lang, errors)}
                </fieldset>
                // Photos and documents: the loader puts the file choosers
                // and the list attach.js keeps between this and the consent
                // (a refusal of the files is told where a sending fails).
                <div class="field">
                    <label class="choice">
                        <input type="checkbox" name="consent" checked=d.consent
                            aria-invalid=invalid(errors, "consent") aria-describedby=described(errors, "consent") />
                        <span>{Label::Consent.text(lang)}</span>
                    </label>
                    {err(errors, "consent")}
                </div>
                <button type="submit" class="primary">{Label::Submit.text(lang)}</button>
            </fieldset>
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
        </form>
    }
}
