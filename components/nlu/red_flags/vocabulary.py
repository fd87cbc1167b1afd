"""Grammar words the red-flag filters read: negation, questions, subjects, time.

These are not clinical content (that is `content/red_flags.yml`): they describe how
patients say that something is not so, is only a question, belongs to someone else,
or is over.
"""

# fmt: off
SENTENCE_END = {".", "?", "!", ";", ":", "...", "…"}
CONTRAST = {"but", "however", "although", "though", "whereas", "except", "until", "till"}
CLAUSE_JOINERS = {",", "and", "so", "because", "cos", "cause", "plus", "then", "or", "-", "—", "–"}
# Verbs after a noun phrase that make it the subject of a new clause ("and X is ...").
SUBJECT_VERBS = {"is", "are", "was", "were", "has", "keeps", "kept", "seems", "seem", "'s"}
INTERJECTIONS = {
    "no",
    "yes",
    "yeah",
    "yep",
    "nope",
    "ok",
    "okay",
    "well",
    "oh",
    "hi",
    "hello",
    "hey",
}
PERSONAL = {
    "i", "me", "my", "myself", "we", "our", "us", "he", "him", "his", "himself",
    "she", "her", "herself", "they", "them", "their", "im", "ive",
}
POSSESSIVES = {"my", "his", "her", "our", "their"}
FIRST_PERSON = {"i", "me", "my", "myself", "we", "our", "us", "im", "ive"}
# Built-in context for `requires`: the symptom is the writer's own.
SELF_REPORT = "self_report"
# built-in context: a message of a few words ("i cant walk") has no story to explain it
BRIEF = "brief"
BRIEF_WORDS = 8
KIN = {
    "mum", "mom", "mother", "mam", "dad", "father", "husband", "wife", "partner",
    "son", "daughter", "brother", "sister", "friend", "grandma", "grandmother",
    "grandad", "granddad", "grandpa", "grandfather", "nan", "nana", "gran", "granny",
    "uncle", "aunt", "auntie", "boyfriend", "girlfriend", "fiance", "fiancee", "child",
    "kid", "neighbour", "neighbor", "mother-in-law", "father-in-law",
}
GENERIC_SUBJECTS = {
    "you", "your", "yourself", "people", "patients", "patient", "someone", "somebody",
    "anyone", "anybody", "one", "everyone", "everybody", "person", "u", "ur",
}
CLAUSE_STARTERS = (
    PERSONAL
    | KIN
    | GENERIC_SUBJECTS
    | {
        "it", "there", "this", "these", "that", "now", "since", "today", "yesterday",
        "tonight", "recently", "lately", "suddenly", "also", "what", "how", "why",
        "when", "where", "which", "who", "is", "are", "was", "were", "do", "does",
        "did", "can", "could", "should", "would", "will", "shall", "may", "might",
        "must", "am", "has", "have", "had", "the", "last", "after", "then",
    }
)
FILLERS = INTERJECTIONS | {
    "so", "also", "and", "but", "please", "doc", "doctor", "just", "quick",
    "question", "sorry", "um", "uh", "plus", "then", "hmm", "ok", ",", "-",
}
WH_WORDS = {
    "what", "whats", "how", "why", "when", "where", "which", "who", "whom", "whose",
    "wat", "wot", "wht", "wats", "hw", "hows", "whys", "wheres",
}
AUXILIARIES = {
    "is", "are", "was", "were", "am", "do", "does", "did", "can", "could", "will",
    "would", "should", "shall", "may", "might", "must", "has", "have", "had", "ca",
    "wo",
}
MODALS = {"can", "could", "will", "would", "might", "may", "should", "shall", "must", "ca", "wo"}
FUTURE_MODALS = {"will", "'ll", "ll", "would", "might", "may", "shall", "gonna", "gon"}
NOT_WORDS = {"n't", "nt", "not"}
# "I might have an infection" speculates about now; "I might get one" is hypothetical.
PRESENT_AFTER_MODAL = {"have", "'ve", "be", "been"} | NOT_WORDS
DEMONSTRATIVES = {"it", "there", "this", "that", "these", "those"}
# Words that end the search for "noun phrase + verb" after "and": the phrase would not
# be the subject of a new clause.
NOT_A_SUBJECT = AUXILIARIES | NOT_WORDS | CLAUSE_JOINERS | CLAUSE_STARTERS | WH_WORDS | {
    "that", "which", "who", "if", "when", "because", "to", "it", "this",
}
THINKING = {
    "think",
    "thought",
    "thoughts",
    "consider",
    "considering",
    "dream",
    "fantasise",
    "fantasize",
    "obsess",
}
# A feared or supposed outcome ("afraid of becoming paralysed", "I thought I was
# paralysed"): looked for in the few words before the symptom.
FEARS = {
    "afraid", "scared", "terrified", "frightened", "petrified", "fear", "fears", "feared",
    "fearful", "worried", "worry", "nervous",
}
SUPPOSING = {"thought", "assumed", "imagined", "feared", "worried", "convinced", "sure"}
SUPPOSED_WINDOW = 6
HYPOTHETICAL_VERBS = {
    "get",
    "develop",
    "experience",
    "lose",
    "need",
    "risk",
    "start",
    "go",
    "become",
}

NEGATORS = {"no", "not", "n't", "nt", "never", "without", "none", "nor", "neither", "zero"}
NEGATOR_LEMMAS = {"deny"}
# A negator directly followed by one of these does not negate what comes later:
# "I don't know why I can't pee", "I can't stop thinking about suicide", "I cannot
# escape these suicidal thoughts", "trying not to think about suicide".
NEGATION_EXCEPTIONS = {
    "sure", "certain", "know", "idea", "stop", "help", "realise", "realize",
    "realised", "realized", "notice", "noticed", "remember", "explain", "understand",
    "believe", "shake", "matter", "wonder", "doubt", "care", "only", "just", "mind",
    "joke", "kidding", "exaggerating", "lying", "tell", "escape", "avoid", "ignore",
    "resist", "handle", "cope", "control", "push", "to",
}
NEGATION_WINDOW = 8

CONDITIONALS = {
    "if",
    "unless",
    "whether",
    "whenever",
    "suppose",
    "supposing",
    "imagine",
    "hypothetically",
}
# "if" after these is an embedded question ("not sure if I have a fever"), not a condition.
EMBEDDING_VERBS = {
    "sure",
    "know",
    "wonder",
    "wondering",
    "wondered",
    "check",
    "tell",
    "idea",
    "see",
}
PROBABILITY_CUES = {
    "chance",
    "chances",
    "risk",
    "risks",
    "possibility",
    "possible",
    "likely",
    "odds",
    "likelihood",
    "probability",
}
# A bare mention after one of these is a topic, not a report.
TOPIC_CUES = CONDITIONALS | PROBABILITY_CUES | {
    "about", "cause", "causes", "causing", "lead", "leads", "result", "results",
    "effect", "effects", "symptom", "symptoms", "sign", "signs", "prevent", "prevents",
    "avoid", "treat", "treats", "treating", "watch", "warned", "warn", "warning",
    "mentioned", "mention", "said", "says", "told", "read", "heard", "information",
    "info", "explain", "mean", "means", "define", "happen", "happens", "incidence",
    "rate", "common", "rare", "often", "frequency", "worried", "worry", "scared",
    "afraid", "fear", "feared", "concern", "concerned", "nervous", "anxious",
    "avoiding", "reduce", "increase", "increases", "linked", "associated", "stakes",
}
AFTER_TOPIC_CUES = {
    "symptom", "symptoms", "sign", "signs", "risk", "risks", "side", "definition",
    "meaning", "mean", "means", "info", "information", "explained", "statistics",
    "rate", "rates", "common", "rare", "causes", "treatment", "prognosis",
}
# Tokens the search for a sentence's subject may step over, from the symptom back to "I".
SUBJECT_WALK_SKIP = {
    "have", "'ve", "ve", "has", "had", "'d", "d", "am", "'m", "m", "is", "'s", "s",
    "are", "'re", "re", "was", "were", "been", "be", "being", "do", "does", "did",
    "keep", "keeps", "kept", "feel", "feels", "felt", "feeling", "got", "get",
    "gets", "getting", "gotten", "having", "now", "just", "really", "also", "still",
    "suddenly", "completely", "totally", "literally", "actually", "always",
    "constantly", "started", "starting", "starts", "start", "begun", "began",
    "a", "an", "the", "some", "any", "bit", "little", "very", "so", "quite",
    "pretty", "severe", "bad", "high", "terrible", "awful", "recently", "today",
    "all", "kind", "sort", "think", "thought", "noticed", "notice", "developed",
    "develop", "developing", "going", "gone", "seem", "seems", "seemed", "to",
    "can", "could", "ca", "n't", "nt", "not", "never", "no", "unable", "able",
    "longer", "will", "'ll", "ll", "would", "might", "may", "must", "should",
    "gonna", "wo", "shall", "definitely", "probably", "maybe", "already", "again",
    "sometimes", "often", "lately", "of", "lot", "lots", "sudden", "new", "this",
    "morning", "yesterday", "tonight", "week",
    "thinks", "believe", "guess", "reckon", "like", "hmm", "um", "then",
    "want", "wants", "wanted", "wanting", "wanna", "need", "needs", "needed", "tried",
    "trying", "try", "ever", "gon", "na", "wan",
    "fully", "partly", "kinda", "sorta", "badly", "seriously", "horribly",
    "eventually", "soon", "ultimately", "possibly",
}
DISTANT_PAST = [
    ("years", "ago"), ("year", "ago"), ("months", "ago"), ("month", "ago"),
    ("last", "year"), ("last", "month"), ("last", "summer"), ("last", "winter"),
    ("last", "spring"), ("last", "autumn"), ("last", "christmas"), ("last", "easter"),
    ("as", "a", "child"), ("as", "a", "kid"),
    ("as", "a", "teenager"), ("as", "a", "baby"), ("when", "i", "was", "young"),
    ("when", "i", "was", "younger"), ("when", "i", "was", "little"),
    ("when", "i", "was", "a"), ("in", "the", "past"), ("long", "ago"),
    ("ages", "ago"), ("decades", "ago"), ("years", "back"), ("used", "to"), ("years", "since"),
    ("when", "i", "was", "in"), ("in", "my", "mid"), ("in", "my", "early"), ("in", "my", "late"),
    ("in", "my", "thirties"), ("in", "my", "forties"), ("in", "my", "fifties"),
    ("childhood",), ("previously",), ("in", "my", "twenties"), ("in", "my", "teens"),
    ("in", "my", "youth"), ("years", "before"), ("a", "while", "back"),
]
# Long-standing, unless the sentence says something is new ("for years, but now...").
LONGSTANDING = [
    ("for", "years"), ("for", "many", "years"), ("for", "ages"), ("for", "decades"),
    ("all", "my", "life"), ("since", "childhood"), ("since", "i", "was"),
    ("for", "a", "long", "time"), ("long-standing",), ("longstanding",),
    ("long", "standing"), ("for", "as", "long", "as", "i", "can", "remember"),
]
RECENT = {
    "now", "new", "suddenly", "sudden", "recently", "started", "starting", "yesterday",
    "today", "tonight", "morning", "night", "week", "days", "hours", "just", "lately",
    "worse", "worsening",
}
RESOLVED = [
    ("went", "away"), ("gone", "away"), ("has", "gone"), ("have", "gone"),
    ("'s", "gone"), ("is", "gone"), ("are", "gone"), ("resolved",), ("cleared",),
    ("settled",), ("better", "now"), ("got", "better"), ("fine", "now"),
    ("ok", "now"), ("okay", "now"), ("normal", "now"), ("back", "to", "normal"),
    ("passed",), ("subsided",), ("disappeared",), ("all", "clear"),
    ("came", "back", "clear"), ("came", "back", "negative"),
    ("came", "back", "normal"), ("came", "back", "fine"), ("was", "clear"),
    ("were", "clear"), ("was", "negative"), ("were", "negative"),
    ("ruled", "out"), ("no", "longer"), ("sorted", "out"), ("recovered",),
    ("wore", "off"), ("worn", "off"), ("eased", "off"), ("stopped",),
]
RESOLVED_WINDOW = 10
# "has gone numb", "has gone floppy": a change for the worse, not a symptom gone
BECOMING = frozenset(
    "numb numbish dead weak weaker funny weird strange floppy limp wobbly cold tingly "
    "stiff red hot swollen".split()
)
RESOLVED_PRONOUNS = {"it", "that", "this", "they", "those", "which"}
# "I've had this for a week": the sentence after a question that owns its symptom
HAVING = {"have", "'ve", "ve", "got", "feel"}
DONE_TO = {
    "done", "removed", "checked", "tested", "treated", "injected", "once", "before", "twice",
    "booked", "scheduled", "planned", "next", "tomorrow", "soon", "coming",
}
OWNING_WINDOW = 7

# A story the writer says is over (with DISTANT_PAST): its past tense is then, not now.
STORY_OVER = [
    ("recovered",), ("survived",), ("survivor",), ("recovery",), ("rehabilitation",),
    ("fully", "healed"), ("years", "on"),
    ("doing", "well", "now"), ("doing", "great", "now"), ("fine", "now"),
    ("back", "to", "normal"), ("my", "story"), ("my", "experience", "of"),
    ("looking", "back"), ("at", "the", "time"), ("at", "that", "time"), ("back", "then"),
    ("year", "anniversary"), ("anniversary",), ("years", "since"), ("months", "since"),
    ("since", "i", "had", "surgery"), ("since", "my", "surgery"), ("since", "my", "operation"),
    ("since", "the", "surgery"), ("since", "the", "operation"), ("under", "the", "knife"),
    ("before", "surgery"), ("before", "my", "surgery"), ("before", "the", "surgery"),
    ("before", "the", "operation"), ("before", "my", "operation"), ("sensation", "returned"),
    ("sensation", "had", "returned"), ("feeling", "returned"), ("feeling", "had", "returned"),
    ("i", "write", "this"),
]
# Residual problems of an old event: "since then", "still", "to this day" (possible only).
RESIDUAL = [
    ("since", "then"), ("ever", "since"), ("to", "this", "day"), ("still",),
    ("at", "any", "moment"), ("at", "any", "time"), ("never", "been", "the", "same"),
    ("permanent",), ("permanently",), ("residual",), ("left", "me", "with"),
]
# A symptom that stopped and came back is not over: "then stopped, and has been on and off".
ONGOING = [
    ("on", "and", "off"), ("off", "and", "on"), ("comes", "and", "goes"),
    ("come", "and", "go"), ("came", "back", "again"), ("keeps", "coming", "back"),
    ("kept", "coming", "back"), ("keep", "coming", "back"), ("started", "again"),
    ("back", "again"), ("came", "back", "worse"),
]
# "three weeks since my surgery": the time since an event, when it is short
RECENT_SPANS = {"day", "days", "week", "weeks", "hours", "fortnight"}
# Over in minutes: "numb for about 2 minutes" (in a past-tense clause).
TRANSIENT_UNITS = {"minute", "minutes", "second", "seconds", "mins", "min", "secs"}
# Memories: a clause that remembers is about then (unless the sentence says now).
MEMORY = [("i", "remember"), ("can", "remember"), ("i", "recall"), ("memories", "of")]
# Words that bring a past-tense sentence of an old story back to now.
STORY_NOW = {
    "now", "today", "tonight", "yesterday", "currently", "lately", "recently", "worse",
    "worsening", "again", "since",
}
# Phrases that do the same: "two weeks ago", "but this time", "last night".
STORY_NOW_PHRASES = [
    ("this", "time"), ("this", "week"), ("this", "morning"), ("last", "night"),
    ("last", "week"), ("the", "other", "day"), ("days", "ago"), ("weeks", "ago"),
    ("day", "ago"), ("week", "ago"), ("hours", "ago"), ("few", "days"),
]
# Verbs and adverbs of the present: a clause with one of these is about now.
PRESENT_MARKERS = {
    "am", "is", "are", "'m", "'re", "m", "re", "have", "has", "'ve", "ve", "do", "does",
    "don't", "doesn't", "can", "can't", "cannot", "cant", "ca", "now", "currently",
    "still", "today", "tonight", "keep", "keeps", "since", "anymore", "any more",
    "getting", "feels", "seem", "seems", "won't", "wont", "wo",
}
# "to have survived", "could have been": a perfect, not the present.
MODAL_OR_TO = {"to", "could", "would", "should", "might", "must", "may", "'d", "d"}
# Past-tense verbs that do not end in -ed.
PAST_MARKERS = {
    "was", "were", "had", "did", "didn't", "didnt", "couldn't", "couldnt", "could",
    "wasn't", "weren't", "lost", "felt", "went", "began", "became", "woke", "fell",
    "got", "came", "took", "left", "thought", "knew", "saw", "said", "told", "made",
    "broke", "gave", "ran", "sat", "stood", "kept", "found", "brought", "slept", "woken",
    "wouldn't", "hadn't",
}
# fmt: on
