use super::*;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("date")
}

/// The example of GB 11643-1999.
const STANDARD_RESIDENT: &str = "11010519491231002X";
/// A published unified social credit code.
const KNOWN_CREDIT: &str = "91350100M000100Y43";

#[test]
fn the_standards_example_resident_id_passes_and_lowercase_x_is_x() {
    assert_eq!(
        check_number(IdType::ResidentId, STANDARD_RESIDENT, day()),
        Ok(())
    );
    assert_eq!(
        check_number(IdType::ResidentId, "11010519491231002x", day()),
        Ok(())
    );
    assert_eq!(
        IdType::ResidentId.normalise(" 11010519491231002x "),
        STANDARD_RESIDENT
    );
    assert_eq!(
        with_check_digit("11010519491231002").as_deref(),
        Some(STANDARD_RESIDENT)
    );
}

#[test]
fn every_single_character_change_of_a_resident_id_is_refused_naming_its_position() {
    let valid: Vec<char> = STANDARD_RESIDENT.chars().collect();
    for i in 0..18 {
        for replacement in "0123456789XA".chars() {
            if replacement == valid[i] {
                continue;
            }
            let mut changed = valid.clone();
            changed[i] = replacement;
            let number: String = changed.iter().collect();
            let fault = check_number(IdType::ResidentId, &number, day())
                .expect_err(&format!("{number} must be refused"));
            let position = match fault {
                NumberFault::Character { position, found } => {
                    assert_eq!(found, replacement, "{number}");
                    position
                }
                NumberFault::CheckCharacter { .. } => 18,
                other => panic!("{number}: {other:?}"),
            };
            if replacement == 'A' || (replacement == 'X' && i < 17) {
                assert_eq!(position as usize, i + 1, "{number}");
            } else {
                // A digit changed anywhere breaks the check character.
                assert_eq!(position, 18, "{number}");
            }
        }
    }
}

#[test]
fn a_wrong_resident_id_says_the_length_the_character_or_the_check_digit() {
    assert_eq!(
        check_number(IdType::ResidentId, "123", day()),
        Err(NumberFault::Length {
            min: 18,
            max: 18,
            got: 3
        })
    );
    assert_eq!(
        check_number(IdType::ResidentId, "11010519491231002", day()),
        Err(NumberFault::Length {
            min: 18,
            max: 18,
            got: 17
        })
    );
    assert_eq!(
        check_number(IdType::ResidentId, "11010519491231002X3", day()),
        Err(NumberFault::Length {
            min: 18,
            max: 18,
            got: 19
        })
    );
    assert_eq!(
        check_number(IdType::ResidentId, "1101051949123100ZX", day()),
        Err(NumberFault::Character {
            position: 17,
            found: 'Z'
        })
    );
    assert_eq!(
        check_number(IdType::ResidentId, "110105194912310023", day()),
        Err(NumberFault::CheckCharacter {
            got: '3',
            expected: 'X'
        })
    );
    // The example number older stores hold: its check digit is 6.
    assert_eq!(
        check_number(IdType::ResidentId, "410000199001011234", day()),
        Err(NumberFault::CheckCharacter {
            got: '4',
            expected: '6'
        })
    );
}

#[test]
fn a_resident_ids_birth_date_is_a_real_day_not_after_the_entry() {
    let bad_month = with_check_digit("11010519491331002").expect("digits");
    assert_eq!(
        check_number(IdType::ResidentId, &bad_month, day()),
        Err(NumberFault::BirthDate {
            digits: "19491331".into()
        })
    );
    let later = with_check_digit("11010520270101002").expect("digits");
    assert_eq!(
        check_number(IdType::ResidentId, &later, day()),
        Err(NumberFault::BornLater {
            born: NaiveDate::from_ymd_opt(2027, 1, 1).expect("date"),
            on: day()
        })
    );
}

#[test]
fn a_known_credit_code_passes_and_a_flipped_character_is_refused_with_its_position() {
    assert_eq!(
        check_number(IdType::CreditCode, KNOWN_CREDIT, day()),
        Ok(())
    );
    assert_eq!(
        check_number(IdType::CreditCode, &KNOWN_CREDIT.to_lowercase(), day()),
        Ok(())
    );
    assert_eq!(
        credit_code_with_check(&KNOWN_CREDIT[..17]).as_deref(),
        Some(KNOWN_CREDIT)
    );
    // 9 → 8 in the first position: the check character no longer fits.
    assert_eq!(
        check_number(IdType::CreditCode, "81350100M000100Y43", day()),
        Err(NumberFault::CheckCharacter {
            got: '3',
            expected: '4'
        })
    );
    // I, O, S, V and Z are not in the alphabet.
    assert_eq!(
        check_number(IdType::CreditCode, "91350100I000100Y43", day()),
        Err(NumberFault::Character {
            position: 9,
            found: 'I'
        })
    );
    let valid: Vec<char> = KNOWN_CREDIT.chars().collect();
    for i in 0..18 {
        let mut changed = valid.clone();
        changed[i] = if valid[i] == '0' { '1' } else { '0' };
        let number: String = changed.iter().collect();
        assert!(
            check_number(IdType::CreditCode, &number, day()).is_err(),
            "{number}"
        );
    }
}

#[test]
fn other_documents_are_checked_for_length_and_characters_only() {
    assert_eq!(check_number(IdType::Passport, "E12345678", day()), Ok(()));
    assert_eq!(
        check_number(IdType::HkMacaoPermit, "H12345678", day()),
        Ok(())
    );
    assert_eq!(
        check_number(IdType::TaiwanPermit, "12345678", day()),
        Ok(())
    );
    assert_eq!(check_number(IdType::Other, "军字第123号", day()), Ok(()));
    assert_eq!(
        check_number(IdType::Passport, "E12", day()),
        Err(NumberFault::Length {
            min: 5,
            max: 20,
            got: 3
        })
    );
    assert_eq!(
        check_number(IdType::Passport, "E12-45678", day()),
        Err(NumberFault::Character {
            position: 4,
            found: '-'
        })
    );
    assert_eq!(
        check_number(IdType::Other, "12 34", day()),
        Err(NumberFault::Character {
            position: 3,
            found: ' '
        })
    );
}

#[test]
fn every_document_type_reads_back_from_its_name() {
    for t in IdType::ALL {
        assert_eq!(t.as_str().parse::<IdType>(), Ok(t));
        assert_eq!(t.label(Lang::Zh).parse::<IdType>(), Ok(t));
    }
    assert!("身份证件".parse::<IdType>().is_err());
}
