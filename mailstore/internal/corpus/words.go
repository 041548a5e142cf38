package corpus

// Names and words of the corpus: English and French, some with accents so
// that RFC 2047 encoding and diacritic folding are exercised.
var firstNames = []string{"Alice", "Bob", "Chloé", "Denis", "Élodie", "François", "Gaëlle", "Hugo",
	"Inès", "Jérôme", "Karin", "Léa", "Marc", "Nadia", "Olivier", "Paulette", "Quentin", "René",
	"Sophie", "Thomas", "Ursula", "Valérie", "William", "Xavier", "Yasmine", "Zoë", "Fred", "Christian",
	"Søren", "Jürgen", "Małgorzata", "José", "Ana", "Björn", "Émile", "Noël"}

var lastNames = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
	"Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Müller",
	"Schmidt", "Smith", "Jones", "Caleca", "Brontë", "Núñez", "Kowalski", "Løvaas", "Weiß", "Dvořák"}

var domains = []string{"truc.fr", "machin.com", "example.org", "example.net", "univ-amu.fr",
	"lists.example.com", "mail.example.de", "exemple.fr"}

var words = []string{
	"the", "de", "to", "la", "and", "le", "of", "et", "a", "les", "in", "des", "is", "en", "that",
	"un", "for", "une", "it", "est", "with", "pour", "on", "dans", "be", "que", "this", "qui", "you",
	"sur", "are", "pas", "we", "au", "as", "plus", "have", "par", "not", "ce", "will", "avec", "or",
	"il", "from", "nous", "can", "vous", "an", "mais", "at", "on", "by", "ou", "if", "été", "message",
	"serveur", "server", "mail", "courrier", "adresse", "address", "domain", "domaine", "réseau",
	"network", "meeting", "réunion", "project", "projet", "deadline", "itinéraire", "facteur",
	"postfix", "dovecot", "relay", "relais", "queue", "file", "attente", "envelope", "enveloppe",
	"header", "entête", "body", "corps", "please", "merci", "thanks", "regards", "cordialement",
	"tomorrow", "demain", "today", "aujourd'hui", "report", "rapport", "budget", "invoice", "facture",
	"release", "version", "bug", "patch", "review", "test", "build", "deploy", "production", "backup",
	"sauvegarde", "password", "mot", "passe", "account", "compte", "user", "utilisateur", "team",
	"équipe", "client", "customer", "order", "commande", "delivery", "livraison", "schedule", "planning",
	"conference", "slides", "document", "draft", "brouillon", "question", "réponse", "answer", "problem",
	"problème", "solution", "idea", "idée", "week", "semaine", "month", "mois", "year", "année",
	"monday", "lundi", "friday", "vendredi", "morning", "matin", "evening", "soir", "lunch", "déjeuner",
	"coffee", "café", "office", "bureau", "home", "maison", "travel", "voyage", "train", "flight",
	"vol", "hotel", "hôtel", "paris", "marseille", "lyon", "berlin", "london", "new", "york",
	"dns", "mx", "smtp", "imap", "pop3", "tls", "certificate", "certificat", "spam", "filter",
	"filtre", "archive", "folder", "dossier", "inbox", "attachment", "pièce", "jointe", "photo",
	"picture", "video", "vidéo", "music", "musique", "book", "livre", "library", "bibliothèque",
	"course", "cours", "student", "étudiant", "teacher", "professeur", "exam", "examen", "grade",
	"note", "homework", "devoir", "university", "université", "lab", "laboratoire", "research",
	"recherche", "paper", "article", "journal", "revue", "submission", "soumission", "accepted",
	"accepté", "rejected", "rejeté", "camera", "ready", "prêt", "great", "super", "good", "bon",
	"bad", "mauvais", "new", "nouveau", "old", "ancien", "big", "grand", "small", "petit", "first",
	"premier", "last", "dernier", "next", "prochain", "again", "encore", "soon", "bientôt", "later",
	"plus", "tard", "maybe", "peut-être", "sure", "certain", "agree", "accord", "think", "pense",
	"know", "sais", "want", "veux", "need", "besoin", "make", "faire", "take", "prendre", "send",
	"envoyer", "receive", "recevoir", "read", "lire", "write", "écrire", "call", "appeler",
}
