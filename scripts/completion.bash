# SPDX-License-Identifier: GPL-2.0-or-later
#
# bash completion for gatehouse (installed as
# share/bash-completion/completions/gatehouse).  Commands, fw subcommands
# and flags come from the program's own --help texts, so they cannot fall
# behind it; --host completes the hosts of the inventory in --rules DIR.

# The long options a help text mentions, once each.
_gatehouse_flags() {
	"$@" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u
}

_gatehouse() {
	local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD - 1]}"
	local gh="${COMP_WORDS[0]}" cmd="" sub="" rules="" i

	for ((i = 1; i < COMP_CWORD; i++)); do
		case "${COMP_WORDS[i]}" in
		--rules) rules="${COMP_WORDS[i + 1]}" ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd="${COMP_WORDS[i]}"; elif [[ $cmd == fw && -z $sub ]]; then sub="${COMP_WORDS[i]}"; fi ;;
		esac
	done

	case "$prev" in
	--host)
		# The inventory's hosts, as fw names them when asked for one it lacks.
		[[ -n $rules ]] || return 0
		local hosts
		hosts="$("$gh" fw check --rules "$rules" --host '' 2>&1 |
			sed -n 's/^gatehouse fw: the hosts of the inventory are: //p')"
		COMPREPLY=($(compgen -W "$hosts" -- "$cur"))
		return 0
		;;
	--rules | --policies)
		COMPREPLY=($(compgen -d -- "$cur"))
		return 0
		;;
	--policy | --boundary | --session-policy | --resource-policy)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0
		;;
	--kind)
		COMPREPLY=($(compgen -W "auto identity resource trust" -- "$cur"))
		return 0
		;;
	esac

	if [[ -z $cmd ]]; then
		local cmds
		cmds="$("$gh" --help 2>/dev/null | sed -n 's/^  \([a-z]\+\) .*/\1/p')"
		COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
	elif [[ $cmd == fw && -z $sub ]]; then
		COMPREPLY=($(compgen -W "check compile apply diff show --help" -- "$cur"))
	elif [[ $cur == -* ]]; then
		if [[ $cmd == fw ]]; then
			COMPREPLY=($(compgen -W "$(_gatehouse_flags "$gh" fw "$sub")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_gatehouse_flags "$gh" "$cmd")" -- "$cur"))
		fi
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -F _gatehouse gatehouse
