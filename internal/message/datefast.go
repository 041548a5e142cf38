package message

// canonical reads the usual form of a date (RFC 5322 §3.3), "Tue, 5 Nov
// 2024 10:11:57 +0100", its day name optional and a comment after the
// zone allowed ("(CET)"), at a fraction of scan's cost. It fills d as scan
// would and applies check; false means that the text has another form (or
// is no date), and is for scan to read. FuzzDate checks that both agree.
func (d *dateParts) canonical(s string) bool {
	if len(s) > 5 && s[3] == ',' && s[4] == ' ' && isDayName(s[:3]) {
		s = s[5:]
	}
	day, i := digitsAt(s, 0, 2)
	if i == 0 || len(s) < i+5 || s[i] != ' ' || s[i+4] != ' ' {
		return false
	}
	month := monthNumber(s[i+1 : i+4])
	s = s[i+5:]
	// "2024 10:11:57 +0100": 19 bytes at fixed places
	if month == 0 || len(s) < 19 || s[4] != ' ' || s[7] != ':' || s[10] != ':' || s[13] != ' ' ||
		s[14] != '+' && s[14] != '-' || !plainComment(s[19:]) {
		return false
	}
	var n [6]int // year, hour, minute, second, zone hours, zone minutes
	for k, at := range [...][2]int{{0, 4}, {5, 2}, {8, 2}, {11, 2}, {15, 2}, {17, 2}} {
		v, j := digitsAt(s, at[0], at[1])
		if j != at[0]+at[1] {
			return false
		}
		n[k] = v
	}
	if n[4] > 23 || n[5] > 59 {
		return false // scan would ignore such a zone
	}
	d.day, d.month, d.year, d.yearDigits = day, month, n[0], 4
	d.hour, d.min, d.sec, d.haveTime = n[1], n[2], n[3], true
	d.off, d.haveZone = n[4]*60+n[5], true
	if s[14] == '-' {
		d.off = -d.off
	}
	return d.check()
}

// plainComment tells whether s is empty or " (text)" with no parenthesis
// or backslash in the text: what scan skips whole.
func plainComment(s string) bool {
	if s == "" {
		return true
	}
	if len(s) < 3 || s[0] != ' ' || s[1] != '(' || s[len(s)-1] != ')' {
		return false
	}
	for i := 2; i < len(s)-1; i++ {
		if c := s[i]; c == '(' || c == ')' || c == '\\' {
			return false
		}
	}
	return true
}

func isDayName(s string) bool {
	switch s {
	case "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun":
		return true
	}
	return false
}

// monthNumber returns the number of a month's English abbreviation as
// RFC 5322 writes it ("Jan"), 0 for anything else.
func monthNumber(s string) int {
	switch s {
	case "Jan":
		return 1
	case "Feb":
		return 2
	case "Mar":
		return 3
	case "Apr":
		return 4
	case "May":
		return 5
	case "Jun":
		return 6
	case "Jul":
		return 7
	case "Aug":
		return 8
	case "Sep":
		return 9
	case "Oct":
		return 10
	case "Nov":
		return 11
	case "Dec":
		return 12
	}
	return 0
}
