// Words of harm: the harm lexicon of the `harmWords` feature (features.ts), of the hidden-request
// rule (create-classifier.ts) and of the dictionary that cuts letters spelled without spaces back
// into words (hidden-text.ts).
export const HARM_WORDS: readonly string[] =
  "bomb bombs explosive explosives detonate detonator weapon weapons gun guns firearm firearms ammunition meth methamphetamine cocaine heroin fentanyl narcotics poison poisoning poisons toxin toxins sarin ricin anthrax bioweapon bioweapons pathogen malware ransomware keylogger trojan spyware rootkit exploit exploits hack hacking hacker phishing ddos botnet steal stealing stolen theft fraud fraudulent scam scams counterfeit launder laundering embezzle bribe blackmail extortion extort kidnap kidnapping murder kill killing assassinate assassination suicide torture terrorist terrorism extremist genocide racist slur slurs harass harassment stalk stalking smuggle smuggling trafficking illegal illegally unauthorized evade evading dox doxxing forge forged disinformation misinformation propaganda defamatory piracy pirated overdose lethal untraceable undetectable arson shoplift shoplifting vandalize hijack weaponize manipulate manipulating cheat cheating synthesize synthesis crack cracking harm harmful dangerous violent violence abuse abusive".split(
    " ",
  );
