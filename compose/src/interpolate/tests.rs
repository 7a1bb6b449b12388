use super::*;

fn vars() -> Vars {
    [
        ("FOO", "first"),
        ("BAR", ""),
        ("N", "3"),
        ("YES", "Yes"),
        ("REG", "r"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

#[test]
fn substitute_table() {
    // Cases from the CLI's template_test.go plus its regex quirks.
    let cases: &[(&str, &str)] = &[
        ("foo", "foo"),
        ("$${foo}", "${foo}"),
        ("$$FOO", "$FOO"),
        ("This ${missing} var", "This  var"),
        ("This ${BAR} var", "This  var"),
        ("This $FOO var", "This first var"),
        ("This ${FOO} var", "This first var"),
        ("ok ${missing:-def}", "ok def"),
        ("ok ${missing-def}", "ok def"),
        ("ok ${BAR:-def}", "ok def"),
        ("ok ${FOO:-def}", "ok first"),
        ("ok ${BAR-def}", "ok "),
        ("ok ${BAR:-/non:-alphanumeric}", "ok /non:-alphanumeric"),
        ("ok ${FOO:?err}", "ok first"),
        ("ok ${FOO?err}", "ok first"),
        ("ok ${BAR?err}", "ok "),
        ("${foo}", ""), // names are case-sensitive, the pattern is not
        ("$FOO.bar", "first.bar"),
        ("${FOO}}", "first}"),
        // No nesting: the default stops at the first `}`.
        ("${missing:-${FOO}}", "${FOO}"),
        ("${FOO:-${BAR}}", "first}"),
        // Unbraced names take an operator up to the next `}`.
        ("$REG-foo:1", "r"),
        ("$missing-foo:1", "foo:1"),
        // `-` is checked before `:?`, so a message with a dash becomes a default.
        ("${FOO:?must-be-set}", "be-set"),
        ("é$FOO€", "éfirst€"),
    ];
    for (template, want) in cases {
        assert_eq!(
            substitute(template, &vars()).as_deref(),
            Ok(*want),
            "{template}"
        );
    }
}

#[test]
fn substitute_errors() {
    for template in [
        "${", "$}", "${}", "${ }", "${ foo}", "${foo }", "${foo!}", "${FOO", "$", "a $1",
        "${FOO:x}",
    ] {
        assert_eq!(
            substitute(template, &vars()),
            Err(SubstError::Invalid),
            "{template}"
        );
    }
    let required: &[(&str, &str, &str)] = &[
        (
            "not ok ${UNSET_VAR:?Mandatory Variable Unset}",
            "UNSET_VAR",
            "Mandatory Variable Unset",
        ),
        (
            "not ok ${BAR:?Mandatory Variable Empty}",
            "BAR",
            "Mandatory Variable Empty",
        ),
        ("not ok ${UNSET_VAR:?}", "UNSET_VAR", ""),
        (
            "not ok ${UNSET_VAR?Mandatory Variable Unset}",
            "UNSET_VAR",
            "Mandatory Variable Unset",
        ),
        ("not ok ${UNSET_VAR?}", "UNSET_VAR", ""),
    ];
    for (template, name, message) in required {
        assert_eq!(
            substitute(template, &vars()),
            Err(SubstError::Required {
                name: name.to_string(),
                message: message.to_string()
            }),
            "{template}"
        );
    }
}

fn map(text: &str) -> Mapping {
    serde_yaml_ng::from_str(text).expect("test yaml")
}

fn at<'a>(m: &'a Mapping, path: &str) -> &'a Value {
    let mut parts = path.split('.');
    let mut v = m.get(parts.next().expect("path")).expect("first");
    for p in parts {
        v = match p.parse::<usize>() {
            Ok(i) => v.get(i),
            Err(_) => v.get(p),
        }
        .unwrap_or_else(|| panic!("{path} at {p}"));
    }
    v
}

#[test]
fn casts_only_at_cli_paths_and_only_when_substituted() {
    let mut m = map(r#"
services:
  web:
    image: "nginx:${N}"
    tty: ${YES}
    read_only: "yes"
    deploy:
      replicas: ${N}
      update_config: {max_failure_ratio: "0.${N}"}
    ports: [{target: "${N}", published: "80${N}"}]
    ulimits: {nofile: {soft: "${N}"}, nproc: "${N}"}
    environment: {A: "${N}", B: "${YES}"}
    secrets: [{source: s, mode: "${N}"}]
networks:
  front: {external: "${YES}"}
x-extra: {n: "${N}"}
"#);
    interpolate(&mut m, &vars()).expect("interpolate");
    let cases: &[(&str, Value)] = &[
        ("services.web.image", Value::String("nginx:3".into())),
        ("services.web.tty", Value::Bool(true)),
        // Not substituted: stays a string as in the CLI (whose schema then refuses it).
        ("services.web.read_only", Value::String("yes".into())),
        ("services.web.deploy.replicas", Value::Number(3.into())),
        (
            "services.web.deploy.update_config.max_failure_ratio",
            Value::Number(0.3.into()),
        ),
        ("services.web.ports.0.target", Value::Number(3.into())),
        ("services.web.ports.0.published", Value::Number(803.into())),
        ("services.web.ulimits.nofile.soft", Value::Number(3.into())),
        ("services.web.ulimits.nproc", Value::Number(3.into())),
        ("services.web.environment.A", Value::String("3".into())),
        ("services.web.environment.B", Value::String("Yes".into())),
        ("services.web.secrets.0.mode", Value::Number(3.into())),
        ("networks.front.external", Value::Bool(true)),
        ("x-extra.n", Value::String("3".into())),
    ];
    for (path, want) in cases {
        assert_eq!(at(&m, path), want, "{path}");
    }
}

#[test]
fn errors_name_the_path() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "services: {web: {image: \"${TAG?set TAG first}\"}}",
            "services.web.image",
            "required variable TAG is missing a value: set TAG first",
        ),
        (
            "services: {web: {image: \"${\"}}",
            "services.web.image",
            "invalid interpolation format",
        ),
        ("x-a: [ok, \"$\"]", "x-a[1]", "invalid interpolation format"),
        (
            "services: {web: {deploy: {replicas: \"${MANY:-many}\"}}}",
            "services.web.deploy.replicas",
            "failed to cast to expected type: \"many\" is not an integer",
        ),
        (
            "services: {web: {tty: \"${N}\"}}",
            "services.web.tty",
            "not a boolean",
        ),
    ];
    for (text, path, fragment) in cases {
        let err = interpolate(&mut map(text), &vars()).expect_err(text);
        assert_eq!(err.path.as_deref(), Some(*path), "{text}");
        assert!(err.message.contains(fragment), "{text}: {err}");
    }
}

#[test]
fn keys_are_not_interpolated() {
    let mut m = map("x-a: {\"$FOO\": \"$FOO\"}");
    interpolate(&mut m, &vars()).expect("ok");
    assert_eq!(at(&m, "x-a.$FOO"), &Value::String("first".into()));
}
